package ai.dstack.spi.host;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Runs jobs' commands on one host as detached processes that outlive the engine: a job started by one engine
 * process is found running, or finished with its exit code and complete logs, by the next one.
 *
 * <p>Nothing is pushed to the caller except {@link #onFinished}: status and logs are read on demand, logs by offset,
 * so the engine needs no thread per job.
 *
 * <p>Implementations must be safe for concurrent use. Share one instance per host; {@link #close()} releases its
 * watcher and never stops jobs.
 *
 * <pre>{@code
 * JobHandle job = host.start(JobLaunch.of(jobId, List.of("python train.py")));
 * host.onFinished(job).thenAccept(status -> wakeEngine());
 * LogChunk logs = host.readLogs(job, savedOffset, 1000);   // store logs.nextOffset() for the next read
 * }</pre>
 */
public interface HostExecutor extends AutoCloseable {

    /** Lines returned by {@link #readLogs(JobHandle, long)}. */
    int DEFAULT_LOG_LINES = 1000;

    /**
     * Starts the job and returns once its process exists.
     *
     * @throws HostExecutionException when the job cannot start (a job with this id exists, the host lacks a tool the
     *     protocol needs, the image needs Docker and there is none); the message says why
     */
    JobHandle start(JobLaunch launch);

    /** The job's status as the host's files and processes tell it now. Unknown jobs are {@link HostJobState.Lost}. */
    HostJobState status(JobHandle job);

    /**
     * Reads up to {@code maxLines} log lines recorded after {@code fromOffset} (0 for the beginning). Only complete
     * records are returned; a record being written is left for the next read.
     */
    LogChunk readLogs(JobHandle job, long fromOffset, int maxLines);

    default LogChunk readLogs(JobHandle job, long fromOffset) {
        return readLogs(job, fromOffset, DEFAULT_LOG_LINES);
    }

    /**
     * Sends SIGTERM to the job's processes now and SIGKILL when {@code gracePeriod} ends if the job is still
     * running then. Returns at once; the escalation happens on the host even if the engine stops meanwhile. Does
     * nothing for a finished job.
     */
    void stop(JobHandle job, Duration gracePeriod);

    /** Sends SIGKILL to the job's processes now (abort). Does nothing for a finished job. */
    void kill(JobHandle job);

    /**
     * Removes the job's files (script, working directory, logs, exit code).
     *
     * @throws HostExecutionException when the job is still running; stop or kill it first
     */
    void cleanup(JobHandle job);

    /**
     * Completes with the job's final status ({@link HostJobState.Exited} or {@link HostJobState.Lost}) shortly after the
     * job ends, or at once if it already has. Works for jobs started by an earlier engine process too. The stage
     * completes on the executor's watcher thread: keep its callbacks short.
     */
    CompletionStage<HostJobState> onFinished(JobHandle job);

    /**
     * Asks to be the only reader copying the job's logs off this host, so that engines sharing the host (replicas
     * on one database) store each line once. Empty while another engine, in this process or another, holds it; a
     * holder that dies lets go with its process. Close the returned claim to let go. The default always grants: a
     * host that only one engine reads needs no arbitration.
     */
    default java.util.Optional<AutoCloseable> claimLogReader(JobHandle job) {
        return java.util.Optional.of(() -> {});
    }

    /**
     * Samples the job's resource usage now: its processes' CPU time and memory, and the host's GPUs. Empty when the
     * job has no live processes (not started yet, or ended). The default says the host cannot sample.
     *
     * @throws HostExecutionException when the host cannot sample jobs or the sample fails; the message says why
     */
    default java.util.Optional<JobUsage> usage(JobHandle job) {
        throw new HostExecutionException(ai.dstack.api.ErrorCode.ERROR,
                "sampling a job's resource usage is not supported by " + getClass().getSimpleName());
    }

    /**
     * Samples several jobs at once, as {@link #usage(JobHandle)} does each: hosts that can should read their process
     * table once for all of them, so that a pass over many jobs does not cost one walk per job. The answer has every
     * job asked about that could be sampled (empty for one with no live processes); a job missing from it could not
     * be sampled. The default asks about each job in turn.
     *
     * @throws HostExecutionException when the host cannot sample jobs at all; the message says why
     */
    default java.util.Map<JobHandle, java.util.Optional<JobUsage>> usage(List<JobHandle> jobs) {
        java.util.Map<JobHandle, java.util.Optional<JobUsage>> sampled = new java.util.LinkedHashMap<>();
        for (JobHandle job : jobs) {
            try {
                sampled.put(job, usage(job));
            } catch (HostExecutionException e) {
                // left out: this job could not be sampled, the others may
            }
        }
        return sampled;
    }

    /**
     * The container runtime ({@code docker}, {@code podman}) that runs this host's jobs with an image, or empty when
     * it has none or cannot tell. Plan and apply refuse container-only fields (volumes, privileged, ...) for hosts
     * without one. The default says none.
     */
    default java.util.Optional<String> containerRuntime() {
        return java.util.Optional.empty();
    }

    /**
     * Whether the job is still pulling its image (dstack's {@code pulling} status): the runtime did not have it, and
     * the container has not started yet. The default says never.
     */
    default boolean pulling(JobHandle job) {
        return false;
    }

    /**
     * For a job on another machine: a local address that reaches {@code port} on the loopback of the job's host (an
     * SSH tunnel), so the engine's service proxy and probes reach a service there. Empty for jobs on the engine's own
     * host, which the engine reaches itself; the default.
     */
    default java.util.Optional<java.net.InetSocketAddress> forwardPort(JobHandle job, int port) {
        return java.util.Optional.empty();
    }

    /**
     * For a job on another machine: whether something listens on {@code port} on its host's loopback (a tunnel's
     * local end accepts connections whatever the far end does, so it cannot tell). Empty for jobs on the engine's own
     * host; the default.
     */
    default java.util.Optional<Boolean> listensOn(JobHandle job, int port) {
        return java.util.Optional.empty();
    }

    /**
     * Shells and ports inside this host's jobs, for the server's SSH gateway ({@code dstack attach}, {@code ssh
     * <run>}), when the host offers them over its own transport (an SSH host does). Empty by default.
     */
    default java.util.Optional<JobShells> shells() {
        return java.util.Optional.empty();
    }

    /** The jobs whose files are on this host, finished or not (what an engine adopts after a restart). */
    List<JobHandle> jobs();

    /** Stops watching for exits; stages of {@link #onFinished} not completed yet are cancelled. Jobs keep running. */
    @Override
    void close();
}
