package ai.dstack.core.internal.placement;

import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.LogChunk;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's one {@link HostExecutor}, which sends each call to the executor of the host the job is placed on:
 * the engine's own for the local fleet (and for any job not placed on a remote instance), the remote host's for an SSH
 * fleet's instance. A job's instance never changes once it is placed, so the choice is looked up once per job.
 */
public final class HostRouter implements HostExecutor {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HostRouter.class);
    private final HostExecutor local;
    private final RemoteHosts remotes;
    private volatile StateStore store;
    private final Map<String, HostExecutor> byJob = new ConcurrentHashMap<>();
    /** Set once an SSH fleet's instance exists; until then every job is local and no lookup is needed. */
    private volatile boolean anyRemote;

    public HostRouter(HostExecutor local, RemoteHosts remotes) {
        this.local = local;
        this.remotes = remotes;
    }

    public void connect(StateStore stateStore, boolean remoteInstancesExist) {
        this.store = stateStore;
        this.anyRemote = remoteInstancesExist;
    }

    public void remoteInstanceAdded() {
        anyRemote = true;
    }

    public RemoteHosts remotes() {
        return remotes;
    }

    public boolean anyRemote() {
        return anyRemote;
    }

    public HostExecutor local() {
        return local;
    }

    /** Whether the job runs (or would run) on the engine's own host. */
    public boolean isLocal(String jobId) {
        return route(new JobHandle(jobId)) == local;
    }

    private HostExecutor route(JobHandle job) {
        if (!anyRemote) {
            return local;
        }
        HostExecutor known = byJob.get(job.jobId());
        if (known != null) {
            return known;
        }
        HostExecutor placed = placedOn(job.jobId());
        if (placed == null) {
            return local; // not placed yet (or not a job row): not cached, it may be placed later
        }
        byJob.put(job.jobId(), placed);
        return placed;
    }

    /**
     * The executor of the job's instance, or null when the job has no instance yet: for jobs this engine did not
     * start itself (adopted after a restart, or started by another replica).
     */
    private HostExecutor placedOn(String jobId) {
        UUID id;
        try {
            id = UUID.fromString(jobId);
        } catch (IllegalArgumentException e) {
            return null;
        }
        Optional<InstanceRow> instance = store.inReadOnlyTransaction(tx -> tx.jobs().find(id)
                .map(JobRow::instanceId).flatMap(instanceId -> tx.instances().find(instanceId)));
        if (instance.isEmpty()) {
            return null;
        }
        String remote = instance.get().remoteConnectionInfo();
        return remote == null ? local
                : remotes.host(Json.read(remote, RemoteConnectionInfo.class).address()).executor();
    }

    /**
     * Starts a job on the host its placement chose ({@code remote}, or the engine's own host when null) and remembers
     * the choice for the job's later calls: the placement is handed over, not read back from the database.
     */
    public JobHandle startOn(RemoteHostAddress remote, JobLaunch launch) {
        HostExecutor executor = remote == null ? local : remotes.host(remote).executor();
        if (anyRemote) {
            byJob.put(launch.jobId(), executor);
        }
        return executor.start(launch);
    }

    @Override
    public JobHandle start(JobLaunch launch) {
        return route(new JobHandle(launch.jobId())).start(launch);
    }

    @Override
    public HostJobState status(JobHandle job) {
        return route(job).status(job);
    }

    @Override
    public LogChunk readLogs(JobHandle job, long fromOffset, int maxLines) {
        return route(job).readLogs(job, fromOffset, maxLines);
    }

    /** Only one engine copies a job's logs at a time: the job's own host decides, as it holds the logs. */
    @Override
    public java.util.Optional<AutoCloseable> claimLogReader(JobHandle job) {
        return route(job).claimLogReader(job);
    }

    @Override
    public void stop(JobHandle job, Duration gracePeriod) {
        route(job).stop(job, gracePeriod);
    }

    @Override
    public void kill(JobHandle job) {
        route(job).kill(job);
    }

    @Override
    public java.util.Optional<ai.dstack.spi.host.JobUsage> usage(JobHandle job) {
        return route(job).usage(job);
    }

    /** Each host samples its own jobs in one call; a host that cannot leaves its jobs out, the others still answer. */
    @Override
    public Map<JobHandle, java.util.Optional<ai.dstack.spi.host.JobUsage>> usage(List<JobHandle> jobs) {
        Map<HostExecutor, List<JobHandle>> byHost = new java.util.LinkedHashMap<>();
        jobs.forEach(job -> byHost.computeIfAbsent(route(job), host -> new java.util.ArrayList<>()).add(job));
        Map<JobHandle, java.util.Optional<ai.dstack.spi.host.JobUsage>> sampled = new java.util.LinkedHashMap<>();
        byHost.forEach((host, itsJobs) -> {
            try {
                sampled.putAll(host.usage(itsJobs));
            } catch (ai.dstack.spi.host.HostExecutionException e) {
                LOG.debug("Sampling {} jobs failed: {}", itsJobs.size(), e.getMessage());
            }
        });
        return sampled;
    }

    @Override
    public boolean pulling(JobHandle job) {
        return route(job).pulling(job);
    }

    @Override
    public void cleanup(JobHandle job) {
        route(job).cleanup(job);
        byJob.remove(job.jobId());
    }

    @Override
    public CompletionStage<HostJobState> onFinished(JobHandle job) {
        return route(job).onFinished(job);
    }

    /** The shells of the host the job runs on when it is another machine's; empty for the engine's own host. */
    public java.util.Optional<ai.dstack.spi.host.JobShells> shellsOf(JobHandle job) {
        HostExecutor executor = route(job);
        return executor == local ? java.util.Optional.empty() : executor.shells();
    }

    @Override
    public java.util.Optional<java.net.InetSocketAddress> forwardPort(JobHandle job, int port) {
        return route(job).forwardPort(job, port);
    }

    @Override
    public java.util.Optional<Boolean> listensOn(JobHandle job, int port) {
        return route(job).listensOn(job, port);
    }

    /** The engine's own jobs; remote hosts' jobs are known through their rows. */
    /** The engine's own host's: what plan and apply judge container-only fields by. */
    @Override
    public java.util.Optional<String> containerRuntime() {
        return local.containerRuntime();
    }

    @Override
    public List<JobHandle> jobs() {
        return local.jobs();
    }

    @Override
    public void close() {
        local.close();
        remotes.close();
    }
}
