package ai.dstack.spi.storage;

import java.util.List;
import java.util.UUID;

/** Job submissions: table {@code jobs}. One row per (run, replica, job, submission). */
public interface JobStore extends PipelineStore<JobRow> {

    /** The run's job submissions by replica, job and submission number. */
    List<JobRow> listByRun(UUID runId);

    /** The job submissions placed on an instance, oldest first. */
    List<JobRow> listByInstance(UUID instanceId);
}
