package ai.dstack.core.app;

import ai.dstack.spi.storage.JobMetricsPointRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What dstack's Prometheus endpoint reports: runs counted per project and user, active jobs with their newest sample,
 * live instances, and the engine's own health. Plain values; a server turns them into metrics. Not caller-scoped:
 * only the server's operator (behind the endpoint's own setting and token) sees them.
 */
public interface ServerStatistics {
    /** Runs of one user in one project, by final status. */
    record RunCounts(String project, String user, long total, long terminated, long failed, long done) {}

    /** A job on an instance, with what it was given and its newest sample (null before the first). */
    record ActiveJob(String project, String user, String runName, UUID runId, String jobName, UUID jobId,
            int jobNum, int replicaNum, String runType, String backend, String gpu, int gpuCount, int cpus,
            long memoryBytes, long gpuMemoryBytes, double price, Instant submittedAt, JobMetricsPointRow latest) {}

    /** An instance that is provisioning, idle, busy or terminating. */
    record LiveInstance(String project, String fleetName, UUID fleetId, String name, UUID id,
            String instanceType, String backend, String gpu, int gpuCount, double price, Instant createdAt) {}

    record Snapshot(List<RunCounts> runs, List<ActiveJob> jobs, List<LiveInstance> instances) {}

    /**
     * What the engine has sent to its database since it opened: SQL statements and read-write transactions (claims
     * and heartbeats included); both zero for a store that does not count them.
     */
    record DatabaseWork(long statements, long writeTransactions) {
        /** What happened between {@code earlier} and this snapshot. */
        public DatabaseWork minus(DatabaseWork earlier) {
            return new DatabaseWork(statements - earlier.statements, writeTransactions - earlier.writeTransactions);
        }
    }

    /** Everything above, read in one transaction. */
    Snapshot snapshot();

    /** Hints waiting for the job and run loops (the queue length). */
    int queuedHints();

    /** Time since the metrics sampler last finished a pass (the loop lag). */
    Duration metricsCollectionAge();

    /** The database work so far (for benchmarks and tests that count the engine's statements). */
    DatabaseWork databaseWork();
}
