package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * One page of {@link RunStore#listPage}: runs of these projects in keyset order, newest first
 * ({@code submitted_at} descending, then id ascending) or the reverse when {@code ascending}, strictly after the
 * previous page's last run when {@code afterSubmittedAt} is given.
 *
 * @param userId only this user's runs, or null
 * @param activeOnly leave out deleted runs and runs in {@code finishedStatuses}
 * @param finishedStatuses wire values of the statuses {@code activeOnly} leaves out
 * @param afterId with {@code afterSubmittedAt}: runs submitted at the same instant come after this id; null to
 *     resume strictly after the instant
 */
public record RunPageQuery(
        List<UUID> projectIds,
        UUID userId,
        boolean activeOnly,
        Set<String> finishedStatuses,
        Instant afterSubmittedAt,
        UUID afterId,
        boolean ascending,
        int limit) {

    public RunPageQuery {
        projectIds = List.copyOf(Objects.requireNonNull(projectIds, "projectIds is null"));
        finishedStatuses = Set.copyOf(Objects.requireNonNull(finishedStatuses, "finishedStatuses is null"));
        afterSubmittedAt = Rows.micros(afterSubmittedAt);
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0: " + limit);
        }
    }

    /** The next page after {@code last}, the previous page's last run. */
    public RunPageQuery after(RunRow last) {
        return new RunPageQuery(projectIds, userId, activeOnly, finishedStatuses, last.submittedAt(), last.id(),
                ascending, limit);
    }
}
