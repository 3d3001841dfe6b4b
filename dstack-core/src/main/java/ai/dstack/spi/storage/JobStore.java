package ai.dstack.spi.storage;

import java.util.List;
import java.util.UUID;

/** Job submissions: table {@code jobs}. One row per (run, replica, job, submission). */
public interface JobStore extends PipelineStore<JobRow> {

    /** The run's job submissions by replica, job and submission number. */
    List<JobRow> listByRun(UUID runId);

    /** The job submissions of these runs, by run; each run's by replica, job and submission number. */
    default java.util.Map<UUID, List<JobRow>> listByRuns(java.util.Collection<UUID> runIds) {
        java.util.Map<UUID, List<JobRow>> byRun = new java.util.LinkedHashMap<>();
        for (UUID runId : runIds) {
            byRun.put(runId, listByRun(runId));
        }
        return byRun;
    }

    /** The job submissions placed on an instance, oldest first. */
    List<JobRow> listByInstance(UUID instanceId);
}
