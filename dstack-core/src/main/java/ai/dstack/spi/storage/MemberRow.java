package ai.dstack.spi.storage;

import java.util.UUID;

/**
 * A user's membership of a project: table {@code members}.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 *
 * @param projectRole wire value: admin, manager, user
 * @param memberNum display order
 */
public record MemberRow(
        UUID id,
        UUID projectId,
        UUID userId,
        String projectRole,
        int memberNum) {

    public MemberRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(userId, "userId");
        Rows.required(projectRole, "projectRole");
    }
}
