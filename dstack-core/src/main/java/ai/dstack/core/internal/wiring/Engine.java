package ai.dstack.core.internal.wiring;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.run.RunTerminationReason;
import ai.dstack.core.internal.cloud.CloudBackends;
import ai.dstack.core.internal.cloud.CloudFleets;
import ai.dstack.core.internal.cloud.CloudProvisioning;
import ai.dstack.core.LocalFleetAccess;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.EngineSettings;
import ai.dstack.core.internal.context.JobActivity;
import ai.dstack.core.internal.context.JobConnections;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.core.internal.host.LocalJobShells;
import ai.dstack.core.internal.operations.BackendConfigs;
import ai.dstack.core.internal.operations.Bootstrap;
import ai.dstack.core.internal.context.DefaultPermissions;
import ai.dstack.core.internal.operations.Fleets;
import ai.dstack.core.internal.operations.Projects;
import ai.dstack.core.internal.operations.PublicKeys;
import ai.dstack.core.internal.operations.Repos;
import ai.dstack.core.internal.operations.RunOperations;
import ai.dstack.core.internal.operations.Secrets;
import ai.dstack.core.internal.operations.ServiceEndpoints;
import ai.dstack.core.internal.operations.SshFleets;
import ai.dstack.core.internal.operations.SshTargets;
import ai.dstack.core.internal.operations.Uploads;
import ai.dstack.core.internal.operations.Users;
import ai.dstack.core.internal.pipeline.InstanceProvisioner;
import ai.dstack.core.internal.pipeline.JobProcessor;
import ai.dstack.core.internal.pipeline.LogPump;
import ai.dstack.core.internal.pipeline.ProbeRunner;
import ai.dstack.core.internal.pipeline.RunChanges;
import ai.dstack.core.internal.pipeline.RunProcessor;
import ai.dstack.core.internal.pipeline.ServiceReplicas;
import ai.dstack.core.internal.pipeline.Submitter;
import ai.dstack.core.internal.pipeline.WorkLoop;
import ai.dstack.core.internal.placement.HostRouter;
import ai.dstack.core.internal.placement.HostShape;
import ai.dstack.core.internal.placement.JobLauncher;
import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.core.internal.placement.Placement;
import ai.dstack.core.internal.placement.RemoteHosts;
import ai.dstack.core.internal.placement.ReplicaAwareShells;
import ai.dstack.core.internal.placement.ServicePorts;
import ai.dstack.core.internal.placement.SshInstances;
import ai.dstack.core.internal.services.RequestRates;
import ai.dstack.core.internal.services.ServiceNetwork;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.HostResources;
import ai.dstack.spi.host.JobShells;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.WorkKind;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The running engine: loops (runs, jobs, logs, SSH instances) over one state store, one log store and the hosts of its
 * fleets (its own machine, SSH hosts), and dstack's operations over them. Wiring only: callers go through the
 * application layer ({@code ai.dstack.core.internal.app}), which checks their permission and calls the operations
 * this exposes.
 */
public final class Engine implements AutoCloseable {
    private final EngineContext context;
    private final Bootstrap.Identity identity;
    private final LocalFleet localFleet;
    private final Submitter submitter;
    private final WorkLoop runLoop;
    private final WorkLoop jobLoop;
    private final WorkLoop logLoop;
    private final JobProcessor jobs;
    private final RunChanges runChanges = new RunChanges();
    private final List<AutoCloseable> owned;
    private final Users users;
    private final Projects projects;
    private final Secrets secrets;
    private final Repos repos;
    private final Fleets fleets;
    private final RunOperations runs;
    private final BackendConfigs backendConfigs;
    private final ProbeRunner probes;
    private final ServiceEndpoints serviceEndpoints;
    private final PublicKeys publicKeys;
    private final Uploads uploads;
    private final ai.dstack.core.internal.operations.RunQuotas runQuotas;
    private final InstanceProvisioner provisioner;
    /** Cloud backends of the projects' configurations, and the instances made with them. */
    private final CloudBackends cloudBackends = new CloudBackends();
    private final CloudProvisioning cloud;
    /** Network volumes: the volume step and the volumes service. */
    private final ai.dstack.core.internal.cloud.CloudVolumes cloudVolumes;
    private final ai.dstack.core.internal.operations.Volumes volumes;
    /** Service replicas' network namespaces (where the host gives them their own). */
    private final ServiceNetwork serviceNetwork;

    public Engine(StateStore store, LogStore logs, HostExecutor host, HostResources hostResources, int localBlocks,
            LocalFleetAccess localFleetAccess, String adminToken, Clock clock, EngineSettings settings, List<AutoCloseable> owned) {
        this(store, logs, host, RemoteHosts.none(), hostResources, localBlocks, localFleetAccess, adminToken, clock,
                settings, owned, DefaultPermissions.DSTACK);
    }

    /**
     * An engine that also runs SSH fleets' jobs, on the hosts {@code remotes} connects to.
     *
     * @param permissions config.yml's {@code default_permissions}
     */
    public Engine(StateStore store, LogStore logs, HostExecutor host, RemoteHosts remotes, HostResources hostResources,
            int localBlocks, LocalFleetAccess localFleetAccess, String adminToken, Clock clock, EngineSettings settings,
            List<AutoCloseable> owned, DefaultPermissions permissions) {
        this.owned = List.copyOf(owned);
        HostRouter router = new HostRouter(host, remotes);
        this.context = new EngineContext(store, logs, router, clock, settings);
        store.migrate();
        router.connect(store, SshInstances.anyExist(store));
        this.identity = Bootstrap.ensureAdminAndMain(store, clock, adminToken);
        HostShape shape = new HostShape(hostResources, Math.max(1, localBlocks));
        this.localFleet = localFleetAccess != LocalFleetAccess.OFF ? Bootstrap.ensureLocalFleet(store, clock, identity.main(), shape) : null;
        this.users = new Users(context, permissions);
        this.backendConfigs = new BackendConfigs(context, cloudBackends);
        this.projects = new Projects(context, users, permissions, backendConfigs);
        this.secrets = new Secrets(context, projects);
        this.repos = new Repos(context);
        this.publicKeys = new PublicKeys(context);
        this.uploads = new Uploads(context);
        this.runQuotas = new ai.dstack.core.internal.operations.RunQuotas(context);
        this.provisioner = new InstanceProvisioner(context, router, settings.sweep());
        this.cloud = new CloudProvisioning(store, clock, cloudBackends, backendConfigs::list, context::hintJob,
                context::capacityFreed, () -> {
                    router.remoteInstanceAdded();
                    provisioner.wake();
                }, provisioner::hostGone, settings.sweep(), context.events);
        this.cloudVolumes = new ai.dstack.core.internal.cloud.CloudVolumes(store, clock, cloud, context.events,
                settings.sweep());
        this.volumes = new ai.dstack.core.internal.operations.Volumes(context, cloudVolumes);
        this.submitter = new Submitter(context,
                project -> ai.dstack.core.internal.runs.HostCapabilities.of(context.host).withContainerHosts(router.anyRemote()
                        ? ai.dstack.core.internal.placement.SshInstances.withContainers(store, project.id()) : List.of()),
                cloud::hosts);
        this.fleets = new Fleets(context, new SshFleets(context, router, provisioner),
                new CloudFleets(store, clock, cloud));
        this.runs = new RunOperations(context, submitter, repos, users, localFleet, this::stop, cloud);
        LogPump logPump = new LogPump(context);
        HostExecutor localHost = host instanceof HostRouter hostRouter ? hostRouter.local() : host;
        // With the local jobs (a dot name is no job), private: the engine trusts the sockets there.
        ServiceNetwork network = localHost instanceof LocalHostExecutor local
                ? ServiceNetwork.forThisHost(local.root().resolve(".services")) : ServiceNetwork.forThisHost();
        this.serviceNetwork = network;
        RequestRates rates = new RequestRates(clock);
        LocalJobShells localShells = host instanceof LocalHostExecutor local ? new LocalJobShells(local.root()) : null;
        // On a shared network a replica is ready only while its own processes hold its port.
        this.probes = new ProbeRunner(context, network, (jobId, port) -> localShells == null
                || !router.isLocal(jobId.toString()) || localShells.listensOn(new ai.dstack.spi.host.JobHandle(jobId.toString()), port));
        context.probeStates = probes::probes;
        this.serviceEndpoints = new ServiceEndpoints(context, probes, rates);
        this.jobs = new JobProcessor(context, new Placement(context, localFleet, localFleetAccess, router),
                new JobLauncher(context, network, uploads, router,
                        new ai.dstack.core.internal.cloud.VolumeAttachments(store, cloudVolumes, router.remotes(),
                                context.events)), logPump, ServicePorts.of(context, network), cloud);
        RunProcessor runs = new RunProcessor(context, submitter, runChanges::changed,
                new ServiceReplicas(context, probes, rates));
        jobs.recountBusyBlocks();
        this.jobLoop = new WorkLoop("jobs", settings.sweep(), jobs::step);
        this.runLoop = new WorkLoop("runs", settings.sweep(), runs::step);
        this.logLoop = new WorkLoop("logs", settings.logPump(), () -> {
            logPump.pumpAll();
            return false;
        });
        context.connect(jobLoop::wake, runLoop::wake);
        jobLoop.start();
        runLoop.start();
        logLoop.start();
        provisioner.start();
        cloud.start();
        cloudVolumes.start();
        jobs.metricsCollector().start();
    }

    /** dstack's {@code metrics/job/{run_name}}, without permission checks. */
    public ai.dstack.core.internal.operations.JobMetricsQueries jobMetrics() {
        return new ai.dstack.core.internal.operations.JobMetricsQueries(context);
    }

    /** dstack's {@code events/list}; what a caller may see is decided there. */
    public ai.dstack.core.internal.operations.EventQueries eventQueries() {
        return new ai.dstack.core.internal.operations.EventQueries(context);
    }

    /** Runs, active jobs and live instances for the Prometheus endpoint. */
    public ai.dstack.core.internal.operations.ServerStatistics statistics() {
        return new ai.dstack.core.internal.operations.ServerStatistics(context, this::metricsCollectionAge);
    }

    /** Time since the metrics sampler last finished a pass (the server's loop lag). */
    public java.time.Duration metricsCollectionAge() {
        return jobs.metricsCollector().sinceLastPass();
    }

    /** Whether other replicas may change this engine's database (PostgreSQL) or it is its only writer (SQLite). */
    public boolean sharedByReplicas() {
        return context.store.sharedByReplicas();
    }

    /** Hints waiting for the job and run loops (the server's queue length). */
    public int queuedHints() {
        return context.queuedHints();
    }

    /** Sampling interval and retention of job metrics and events (dstack's settings); before the first samples. */
    public void configureMetrics(ai.dstack.core.MetricsSettings settings) {
        context.metrics = settings;
        context.events.enable(settings.eventsEnabled());
        jobs.metricsCollector().reschedule();
    }

    /** A job's metrics, newest {@code limit} samples (dstack's {@code metrics/job/{run_name}} by project name). */
    public ai.dstack.api.metrics.JobMetrics metrics(String projectName, String runName, int replicaNum, int jobNum,
            int limit) {
        return jobMetrics().metrics(project(projectName), runName, null, replicaNum, jobNum, limit, null, null);
    }

    /** Events as the admin sees them. */
    public List<ai.dstack.api.event.Event> events(ai.dstack.api.event.ListEventsRequest request) {
        return eventQueries().list(identity.admin(), request);
    }

    /** The images of jobs that name none but need one (python, nvcc, docker), from now on. */
    public void jobImages(ai.dstack.core.JobImages images) {
        context.jobDefaults = ai.dstack.core.internal.runs.JobDefaults.of(images).onHost();
    }

    /** How many runs a user and a project may have active or queued from now on. */
    public void runLimits(ai.dstack.core.RunLimits limits) {
        context.runLimits = java.util.Objects.requireNonNull(limits, "limits is null");
    }

    public String adminToken() {
        return identity.admin().token();
    }

    public String defaultProject() {
        return identity.main().name();
    }

    public boolean hasLocalFleet() {
        return localFleet != null;
    }

    /** Open SSH sessions into jobs; a session server records them here (dev environments' inactivity). */
    public JobActivity activity() {
        return context.activity;
    }

    /** The running jobs SSH clients may enter, and with which keys. */
    public SshTargets sshTargets() {
        return new SshTargets(context);
    }

    /**
     * Shells and ports inside the jobs of this engine's host, when the host offers them (the local one does); an SSH
     * server into jobs uses them.
     */
    public Optional<JobShells> jobShells() {
        HostExecutor host = context.host instanceof HostRouter router ? router.local() : context.host;
        if (!(host instanceof LocalHostExecutor local)) {
            return Optional.empty();
        }
        ReplicaAwareShells localShells = new ReplicaAwareShells(new LocalJobShells(local.root()), serviceNetwork, context);
        return Optional.of(context.host instanceof HostRouter router
                ? new ai.dstack.core.internal.placement.RoutingJobShells(localShells, router) : localShells);
    }

    /**
     * Announces the SSH server into jobs: from now on {@code runs/get} fills {@code job_connection_info} of running
     * jobs with it, as dstack does with its sshproxy.
     */
    public void publishSshEndpoint(String hostname, int port) {
        Optional<JobShells> shells = jobShells();
        context.connections.publish(new JobConnections.Endpoint(hostname, port),
                jobId -> shells.map(s -> s.workingDirectory(new ai.dstack.spi.host.JobHandle(jobId.toString()))).orElse(null));
    }

    /** The host the local fleet's jobs run on. */
    public HostExecutor host() {
        return context.host;
    }

    /** Users: token log-in, listing, creation, tokens (dstack's users service). */
    public Users users() {
        return users;
    }

    /** Projects and their members (dstack's projects service). */
    public Projects projects() {
        return projects;
    }

    public Secrets secrets() {
        return secrets;
    }

    public Repos repos() {
        return repos;
    }

    /** Backend configurations of projects (dstack's backends service). */
    public BackendConfigs backendConfigs() {
        return backendConfigs;
    }

    /** Users' own SSH public keys (dstack's {@code users/public_keys/*}). */
    public PublicKeys publicKeys() {
        return publicKeys;
    }

    /** Uploaded repo code and file archives, which jobs unpack when they start. */
    public Uploads uploads() {
        return uploads;
    }

    /** Per-user and per-project limits of active and queued runs, checked by the application layer. */
    public ai.dstack.core.internal.operations.RunQuotas runQuotas() {
        return runQuotas;
    }

    /** Fleets and instances, as dstack's API shows them. */
    public Fleets fleets() {
        return fleets;
    }

    /** dstack's volumes service, without permission checks. */
    public ai.dstack.core.internal.operations.Volumes volumes() {
        return volumes;
    }

    /** Service runs as the in-server proxy reaches them. */
    public ServiceEndpoints serviceEndpoints() {
        return serviceEndpoints;
    }

    /** Runs as dstack's REST API handles them: per calling user, with plans, by names. */
    public RunOperations runs() {
        return runs;
    }

    /**
     * dstack's stop: the named runs become terminating, their jobs get SIGTERM (or SIGKILL with {@code abort}). Unknown
     * and finished runs are left alone. The runs are read, claimed and written together (one claim and one write
     * transaction for all that are free), so stopping many runs costs a few writes, not a few per run; a run the
     * background processing holds is tried again shortly. The one implementation, which {@link RunOperations} (and so
     * the application layer) calls.
     */
    public void stop(String projectName, List<String> runNames, boolean abort) {
        ProjectRow project = project(projectName);
        RunTerminationReason reason = abort ? RunTerminationReason.ABORTED_BY_USER : RunTerminationReason.STOPPED_BY_USER;
        java.util.Set<String> left = new java.util.LinkedHashSet<>(runNames);
        for (int attempt = 0; attempt < 200 && !left.isEmpty(); attempt++) {
            List<UUID> toStop = context.store.inReadOnlyTransaction(tx -> {
                List<UUID> ids = new java.util.ArrayList<>();
                for (String name : List.copyOf(left)) {
                    Optional<RunRow> run = tx.runs().findByName(project.id(), name);
                    RunStatus status = run.map(r -> RunStatus.fromWireValue(r.status())).orElse(null);
                    if (status == null || status.isFinished() || (status == RunStatus.TERMINATING && !abort)) {
                        left.remove(name); // nothing (more) to stop
                    } else {
                        ids.add(run.get().id());
                    }
                }
                return ids;
            });
            if (toStop.isEmpty()) {
                return;
            }
            List<Claim<RunRow>> claims = context.store.claimAll(WorkKind.RUNS, toStop, context.clock.instant(),
                    context.settings.owner() + "/api", context.settings.lease());
            if (!claims.isEmpty()) {
                context.store.useTransaction(tx -> {
                    for (Claim<RunRow> claim : claims) {
                        RunRow stopping = claim.row().toBuilder().status(RunStatus.TERMINATING.wireValue())
                                .terminationReason(reason.wireValue()).skipMinProcessingInterval(true).build();
                        if (tx.runs().update(stopping, claim.lease())) {
                            context.events.runChanged(tx, claim.row(), stopping);
                        }
                        tx.leases().release(claim.lease());
                    }
                });
                for (Claim<RunRow> claim : claims) {
                    left.remove(claim.row().runName());
                    context.hintRun(claim.row().id());
                }
            }
            if (!left.isEmpty()) {
                sleepBriefly(); // the others are held by the background processing for a moment
            }
        }
        if (!left.isEmpty()) {
            throw new DstackException(ErrorCode.ERROR, (left.size() == 1 ? "Run " + left.iterator().next() + " is busy"
                    : "Runs " + String.join(", ", left) + " are busy") + "; try stopping again");
        }
    }

    /**
     * Announces changes of a run made by this engine (its status above all): a waiter wakes at once instead of at its
     * next look. Changes made elsewhere (another replica, another process) are not announced.
     */
    public RunChanges.Watch watchRun(UUID runId) {
        return runChanges.watch(runId);
    }

    private ProjectRow project(String name) {
        return context.store.inReadOnlyTransaction(tx -> tx.projects().findByName(name))
                .orElseThrow(() -> new DstackException(ErrorCode.NOT_FOUND, "Project " + name + " not found"));
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DstackException(ErrorCode.ERROR, "interrupted");
        }
    }

    @Override
    public void close() {
        cloudVolumes.close();
        cloud.close();
        jobs.metricsCollector().close();
        provisioner.close();
        logLoop.close();
        jobLoop.close();
        jobs.close();
        runLoop.close();
        probes.close();
        context.close();
        context.host.close();
        context.logs.close();
        cloudBackends.close();
        for (AutoCloseable resource : owned) {
            try {
                resource.close();
            } catch (Exception e) {
                // closing is best effort: the engine is going away
            }
        }
    }
}
