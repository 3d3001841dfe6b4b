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

    /** Runs attached to the fleet that are not deleted. */
    List<RunRow> listByFleet(UUID fleetId);

    /**
     * Reads a run and keeps others from changing it until this transaction ends (PostgreSQL: {@code FOR UPDATE};
     * SQLite: its single writer already does), so a quick decision about the run can be written in the same
     * transaction with {@link #updateIfNotLeased} instead of claiming the run first.
     */
    Optional<RunRow> findForUpdate(UUID id);
}
