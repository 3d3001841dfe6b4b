package ai.dstack.spi.host;

import java.util.Objects;

/**
 * Names a job started on a host. It is just the job id, so the engine can store it and find the job again after a
 * restart.
 */
public record JobHandle(String jobId) {
    public JobHandle {
        Objects.requireNonNull(jobId, "jobId is null");
    }

    @Override
    public String toString() {
        return jobId;
    }
}
