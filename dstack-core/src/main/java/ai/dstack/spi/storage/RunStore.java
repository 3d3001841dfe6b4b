package ai.dstack.spi.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Runs: table {@code runs}. Deletion is the {@code deleted} flag. */
public interface RunStore extends PipelineStore<RunRow> {

    /** The newest run with this name in the project that is not deleted. */
    Optional<RunRow> findByName(UUID projectId, String runName);

    /** The project's runs, newest first ({@code submitted_at} descending), at most {@code limit}. */
    List<RunRow> listByProject(UUID projectId, boolean includeDeleted, int limit);

    /**
     * A page of runs in keyset order (see {@link RunPageQuery}). Stores with an index on {@code (submitted_at, id)}
     * answer from it, so a page costs the same with a hundred runs or a hundred thousand; this default reads the
     * projects' runs and pages them in memory.
     */
    default List<RunRow> listPage(RunPageQuery query) {
        java.util.Comparator<RunRow> order = java.util.Comparator.comparing(RunRow::submittedAt).reversed()
                .thenComparing(run -> run.id().toString());
        if (query.ascending()) {
            order = order.reversed();
        }
        java.util.stream.Stream<RunRow> runs = query.projectIds().stream()
                .flatMap(projectId -> listByProject(projectId, true, Integer.MAX_VALUE).stream())
                .filter(run -> query.userId() == null || run.userId().equals(query.userId()))
                .filter(run -> !query.activeOnly() || !run.deleted() && !query.finishedStatuses().contains(run.status()));
        if (query.afterSubmittedAt() != null) {
            runs = runs.filter(run -> {
                int time = run.submittedAt().compareTo(query.afterSubmittedAt());
                int ids = query.afterId() == null ? 0 : run.id().toString().compareTo(query.afterId().toString());
                return query.ascending() ? time > 0 || time == 0 && query.afterId() != null && ids < 0
                        : time < 0 || time == 0 && query.afterId() != null && ids > 0;
            });
        }
        return runs.sorted(order).limit(query.limit()).toList();
    }

    /**
     * How many of the project's runs are active (not deleted, status not in {@code finishedStatuses}), only the
     * user's when {@code userId} is not null, counted up to {@code atMost} (0: all): a check against a limit reads
     * at most that many runs, not every run the project ever had. This default reads the project's runs.
     */
    default int countActive(UUID projectId, UUID userId, java.util.Set<String> finishedStatuses, int atMost) {
        long count = listByProject(projectId, false, Integer.MAX_VALUE).stream()
                .filter(run -> !finishedStatuses.contains(run.status()))
                .filter(run -> userId == null || run.userId().equals(userId))
                .count();
        return (int) (atMost > 0 ? Math.min(count, atMost) : count);
    }

    /** Runs attached to the fleet that are not deleted. */
    List<RunRow> listByFleet(UUID fleetId);

    /**
     * Reads a run and keeps others from changing it until this transaction ends (PostgreSQL: {@code FOR UPDATE};
     * SQLite: its single writer already does), so a quick decision about the run can be written in the same
     * transaction with {@link #updateIfNotLeased} instead of claiming the run first.
     */
    Optional<RunRow> findForUpdate(UUID id);

    /**
     * The runs of these ids that exist, in one read where the store can (a step that looks at several runs costs one
     * statement, not one per run). This default reads them one by one.
     */
    default List<RunRow> findAll(java.util.Collection<UUID> ids) {
        return ids.stream().distinct().map(this::find).flatMap(Optional::stream).toList();
    }

    /** {@link #findAll} with {@link #findForUpdate}'s lock on each run. */
    default List<RunRow> findAllForUpdate(java.util.Collection<UUID> ids) {
        return ids.stream().distinct().sorted().map(this::findForUpdate).flatMap(Optional::stream).toList();
    }
}
