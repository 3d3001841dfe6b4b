package ai.dstack.spi.storage;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Samples of jobs' resource usage: table {@code job_metrics_points}. Rows go when their job is deleted. */
public interface MetricsStore {
    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_NOT_EXISTS} when the job does not exist */
    void insert(JobMetricsPointRow point);

    /**
     * The job's samples taken after {@code afterMicro} and before {@code beforeMicro} (each bound exclusive, null for
     * none), newest first, at most {@code limit}.
     */
    List<JobMetricsPointRow> list(UUID jobId, Long afterMicro, Long beforeMicro, int limit);

    /** The newest sample of each of the jobs that has one. */
    Map<UUID, JobMetricsPointRow> latest(Collection<UUID> jobIds);

    /**
     * Deletes at most {@code limit} of the samples older than {@code cutoffMicro} of jobs whose status is one of
     * {@code jobStatuses}, and says how many it deleted: the caller deletes in chunks, each its own transaction, so
     * that pruning the samples of thousands of jobs never holds the database's writer for long.
     */
    int deleteOlderThan(long cutoffMicro, Collection<String> jobStatuses, int limit);
}
