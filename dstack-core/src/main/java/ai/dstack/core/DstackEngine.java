package ai.dstack.core;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.files.FileArchive;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.offer.GpuGroup;
import ai.dstack.api.project.Project;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.secret.Secret;
import ai.dstack.api.server.ServerInfo;
import ai.dstack.api.user.PublicKeyInfo;
import ai.dstack.api.user.User;
import ai.dstack.api.user.UserWithCreds;
import ai.dstack.client.ApplyFleetRequest;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.DstackClient;
import ai.dstack.client.InstanceQuery;
import ai.dstack.client.ListGpusRequest;
import ai.dstack.client.MemberSetting;
import ai.dstack.client.NewUser;
import ai.dstack.client.ProjectQuery;
import ai.dstack.client.RunPlanRequest;
import ai.dstack.client.RunQuery;
import ai.dstack.client.UserQuery;
import ai.dstack.core.app.DstackApp;
import ai.dstack.core.app.JobAccess;
import ai.dstack.core.app.ServiceDirectory;
import ai.dstack.core.internal.app.Application;
import ai.dstack.core.internal.app.ServiceLookup;
import ai.dstack.core.internal.app.SshJobAccess;
import ai.dstack.core.internal.config.ServerConfigFile;
import ai.dstack.core.internal.config.ServerDirectory;
import ai.dstack.core.internal.crypto.EncryptingStateStore;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.core.internal.context.EngineSettings;
import ai.dstack.core.internal.placement.RemoteHosts;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.core.internal.host.LocalResourceDetector;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.HostResources;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogStoreContext;
import ai.dstack.spi.logs.LogStoreProvider;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StateStoreProvider;
import ai.dstack.spi.storage.StoreOptions;
import ai.dstack.spi.storage.UserRow;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;

/**
 * dstack's orchestration engine, embedded: runs tasks on this machine (the {@code local} fleet) with state in SQLite
 * (or PostgreSQL) and logs in files, exactly as a dstack server would keep them. It is a {@link DstackClient} acting
 * as the {@code admin} user (as db-scheduler's {@code Scheduler} is its {@code SchedulerClient}); {@link #client}
 * gives one acting as another user.
 *
 * <pre>{@code
 * try (DstackEngine engine = DstackEngine.builder().serverDirectory(Path.of("/tmp/dstack")).build()) {
 *     Run run = engine.applyRun(DstackYaml.parse("type: task\ncommands: [echo hi]\n", null, TaskConfiguration.class));
 *     Run done = engine.awaitFinished(run.runSpec().runName(), Duration.ofMinutes(1));
 *     engine.followLogs(done.runSpec().runName(), e -> System.out.print(new String(e.messageBytes(), UTF_8)));
 * }
 * }</pre>
 *
 * Jobs are detached processes: they outlive the engine, and an engine started again on the same directory picks
 * them up. Thread-safe; close it to stop its background threads (jobs keep running).
 */
public final class DstackEngine implements DstackClient {
    private final Engine engine;
    private final Application app;
    private final EmbeddedDstackClient admin;

    private DstackEngine(Engine engine) {
        this.engine = engine;
        this.app = new Application(engine);
        this.admin = new EmbeddedDstackClient(this, false, () -> app.userNamed("admin"), engine.defaultProject());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The token of the {@code admin} user (given to the builder, or generated on first start and kept). */
    public String adminToken() {
        return engine.adminToken();
    }

    /** Project {@code main}, which the engine creates on first start. */
    public String defaultProject() {
        return engine.defaultProject();
    }

    /** A client acting as the user whose token this is (checked on every call), with {@code main} as default project. */
    public DstackClient client(String token) {
        return EmbeddedDstackClient.of(this, token);
    }

    /** The application layer: every dstack operation for a caller, with its permission check. */
    public DstackApp app() {
        return app;
    }

    /** The engine's service runs, for a proxy in front of them. */
    public ServiceDirectory services() {
        return new ServiceLookup(engine, app);
    }

    /** The engine's running jobs, for an SSH server into them. */
    public JobAccess jobs() {
        return new SshJobAccess(engine);
    }

    /** Whether this machine is offered as fleet {@code local}. */
    public boolean hasLocalFleet() {
        return engine.hasLocalFleet();
    }

    /**
     * Applies config.yml's projects, as dstack's server does on every start: each listed project is created if
     * missing (owned by {@code admin}) and gets exactly the backends listed.
     */
    public void applyServerConfiguration(ServerConfiguration configuration) {
        UserRow owner = engine.users().findByName("admin").orElseThrow(
                () -> new DstackException(ErrorCode.ERROR, "There is no user admin to own config.yml's projects"));
        engine.backendConfigs().apply(configuration.config().projects(), owner);
    }

    /** Writes dstack's default config.yml: project {@code main} with its current backends, the rest as comments. */
    public void writeDefaultServerConfiguration(Path file) {
        ProjectRow main = engine.projects().find(defaultProject()).orElseThrow();
        ServerConfigFile.writeDefault(file, engine.backendConfigs().list(main));
    }

    /**
     * From now on, backends created, updated or deleted over the API are written into {@code file}'s project
     * entries, which every start applies: they outlive a restart, as in dstack.
     */
    public void saveBackendChangesTo(Path file) {
        Objects.requireNonNull(file, "file is null");
        engine.backendConfigs().onChange(project -> ServerConfigFile.saveProjectBackends(file, project.name(),
                engine.backendConfigs().list(project)));
    }

    // ---------------------------------------------------------------- DstackClient, as the admin

    /** Waits as {@link DstackClient#awaitFinished(String, String, Duration)}, woken at once by this engine's changes. */
    @Override
    public Run awaitFinished(String project, String runName, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Run run = getRun(project, runName);
        // Changes made elsewhere (another replica) are not announced: look again at least twice a second.
        try (var watch = engine.watchRun(run.id())) {
            while (true) {
                run = getRun(project, runName);
                if (run.status().isFinished()) {
                    return run;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new DstackException(ErrorCode.ERROR, "Run " + runName + " is still "
                            + run.status().wireValue() + " after " + timeout);
                }
                watch.await(Math.min(Duration.ofNanos(left).toMillis(), 500));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DstackException(ErrorCode.ERROR, "Interrupted while waiting for run " + runName, e);
        }
    }

    @Override
    public Optional<String> defaultProjectName() {
        return Optional.of(defaultProject());
    }

    @Override
    public ServerInfo serverInfo() {
        return admin.serverInfo();
    }

    @Override
    public UserWithCreds me() {
        return admin.me();
    }

    @Override
    public List<User> listUsers(UserQuery query) {
        return admin.listUsers(query);
    }

    @Override
    public User createUser(NewUser user) {
        return admin.createUser(user);
    }

    @Override
    public UserWithCreds refreshToken(String username) {
        return admin.refreshToken(username);
    }

    @Override
    public List<Project> listProjects(ProjectQuery query) {
        return admin.listProjects(query);
    }

    @Override
    public Project getProject(String project) {
        return admin.getProject(project);
    }

    @Override
    public Project createProject(String project, boolean isPublic) {
        return admin.createProject(project, isPublic);
    }

    @Override
    public void deleteProjects(List<String> projects) {
        admin.deleteProjects(projects);
    }

    @Override
    public Project addMembers(String project, List<MemberSetting> members) {
        return admin.addMembers(project, members);
    }

    @Override
    public Project setMembers(String project, List<MemberSetting> members) {
        return admin.setMembers(project, members);
    }

    @Override
    public Project removeMembers(String project, List<String> usernames) {
        return admin.removeMembers(project, usernames);
    }

    @Override
    public Project updateProject(String project, Boolean isPublic) {
        return admin.updateProject(project, isPublic);
    }

    @Override
    public List<PublicKeyInfo> listPublicKeys() {
        return admin.listPublicKeys();
    }

    @Override
    public PublicKeyInfo addPublicKey(String key, String name) {
        return admin.addPublicKey(key, name);
    }

    @Override
    public void deletePublicKeys(List<UUID> ids) {
        admin.deletePublicKeys(ids);
    }

    @Override
    public void initRepo(String project, String repoId, RepoInfo info, RemoteRepoCreds creds) {
        admin.initRepo(project, repoId, info, creds);
    }

    @Override
    public FileArchive uploadArchive(byte[] tar) {
        return admin.uploadArchive(tar);
    }

    @Override
    public FileArchive getArchiveByHash(String hash) {
        return admin.getArchiveByHash(hash);
    }

    @Override
    public String uploadCode(String project, String repoId, byte[] code) {
        return admin.uploadCode(project, repoId, code);
    }

    @Override
    public List<Run> listRuns(RunQuery query) {
        return admin.listRuns(query);
    }

    @Override
    public Run getRun(String project, String runName) {
        return admin.getRun(project, runName);
    }

    @Override
    public Run getRun(String project, UUID runId) {
        return admin.getRun(project, runId);
    }

    @Override
    public RunPlan getRunPlan(String project, RunPlanRequest request) {
        return admin.getRunPlan(project, request);
    }

    @Override
    public Run applyRun(String project, ApplyRunRequest request) {
        return admin.applyRun(project, request);
    }

    @Override
    public void stopRuns(String project, List<String> runNames, boolean abort) {
        admin.stopRuns(project, runNames, abort);
    }

    @Override
    public void deleteRuns(String project, List<String> runNames) {
        admin.deleteRuns(project, runNames);
    }

    @Override
    public ai.dstack.api.metrics.JobMetrics getJobMetrics(String project, String runName, int replicaNum, int jobNum,
            int limit) {
        return admin.getJobMetrics(project, runName, replicaNum, jobNum, limit);
    }

    @Override
    public List<ai.dstack.api.event.Event> listEvents(ai.dstack.api.event.ListEventsRequest request) {
        return admin.listEvents(request);
    }

    /** Runs, jobs, instances and the engine's health for a Prometheus endpoint (not caller-scoped: for the operator). */
    public ai.dstack.core.app.ServerStatistics statistics() {
        return engine.statistics();
    }

    @Override
    public JobSubmissionLogs pollLogs(String project, PollLogsRequest request) {
        return admin.pollLogs(project, request);
    }

    @Override
    public List<GpuGroup> listGpus(String project, ListGpusRequest request) {
        return admin.listGpus(project, request);
    }

    @Override
    public List<Fleet> listFleets(String project, boolean includeImported) {
        return admin.listFleets(project, includeImported);
    }

    @Override
    public Fleet getFleet(String project, String fleetName) {
        return admin.getFleet(project, fleetName);
    }

    @Override
    public FleetPlan getFleetPlan(String project, FleetSpec spec) {
        return admin.getFleetPlan(project, spec);
    }

    @Override
    public Fleet applyFleet(String project, ApplyFleetRequest request) {
        return admin.applyFleet(project, request);
    }

    @Override
    public void deleteFleets(String project, List<String> fleetNames) {
        admin.deleteFleets(project, fleetNames);
    }

    @Override
    public List<ai.dstack.api.volume.Volume> listVolumes(String project) {
        return admin.listVolumes(project);
    }

    @Override
    public ai.dstack.api.volume.Volume getVolume(String project, String name) {
        return admin.getVolume(project, name);
    }

    @Override
    public ai.dstack.api.volume.Volume createVolume(String project,
            ai.dstack.api.configuration.VolumeConfiguration configuration) {
        return admin.createVolume(project, configuration);
    }

    @Override
    public void deleteVolumes(String project, List<String> names) {
        admin.deleteVolumes(project, names);
    }

    @Override
    public List<Instance> listInstances(InstanceQuery query) {
        return admin.listInstances(query);
    }

    @Override
    public List<Secret> listSecrets(String project) {
        return admin.listSecrets(project);
    }

    @Override
    public Secret getSecret(String project, String name) {
        return admin.getSecret(project, name);
    }

    @Override
    public Secret setSecret(String project, String name, String value) {
        return admin.setSecret(project, name, value);
    }

    @Override
    public void deleteSecrets(String project, List<String> names) {
        admin.deleteSecrets(project, names);
    }

    /** Stops the engine's threads and closes its stores. Running jobs go on; a new engine adopts them. */
    @Override
    public void close() {
        engine.close();
    }

    /** Configures an engine; every setting has dstack's default. */
    public static final class Builder {
        private Path serverDirectory;
        private String databaseUrl;
        private LocalFleetAccess localFleet = LocalFleetAccess.ADMINS;
        private RunLimits runLimits = RunLimits.defaults();
        private Integer localBlocks;
        private String adminToken;
        private Clock clock = Clock.systemUTC();
        private HostExecutor host;
        private HostResources hostResources;
        private Duration sweep;
        private boolean keepJobFiles;
        private String logStorageType = "file";
        private Map<String, String> logStorageSettings = Map.of();
        private DatabaseEncryption encryption = DatabaseEncryption.identity();
        private DefaultPermissions permissions = DefaultPermissions.DSTACK;
        private StoreOptions storeOptions = StoreOptions.defaults();
        private Duration lease;
        private MetricsSettings metrics = MetricsSettings.DSTACK;
        private RemoteHosts remoteHosts;
        private String containerRuntime;
        private JobImages jobImages = JobImages.DSTACK;

        private Builder() {}

        /**
         * The images jobs with {@code python:}/{@code nvcc:} and no {@code image:} (dstack's base image) and jobs with
         * {@code docker: true} (its Docker-in-Docker image) run in; default dstack's. The server's settings are
         * {@code DSTACK_SERVER_BASE_IMAGE}, {@code ..._VERSION}, {@code ..._UBUNTU_VERSION} and
         * {@code DSTACK_SERVER_DIND_IMAGE}.
         */
        public Builder jobImages(JobImages images) {
            this.jobImages = Objects.requireNonNull(images, "images is null");
            return this;
        }

        /**
         * How tokens, SSH private keys, secrets and backend credentials are encrypted in the database (config.yml's
         * {@code encryption.keys}); default identity (stored as {@code enc:identity:noname:<plaintext>}).
         */
        public Builder encryption(DatabaseEncryption encryption) {
            this.encryption = Objects.requireNonNull(encryption, "encryption is null");
            return this;
        }

        /** config.yml's {@code default_permissions}; default dstack's. */
        public Builder defaultPermissions(DefaultPermissions permissions) {
            this.permissions = Objects.requireNonNull(permissions, "permissions is null");
            return this;
        }

        /** Connection pool settings ({@code DSTACK_DB_POOL_SIZE}, {@code DSTACK_DB_MAX_OVERFLOW}). */
        public Builder storeOptions(StoreOptions options) {
            this.storeOptions = Objects.requireNonNull(options, "options is null");
            return this;
        }

        /**
         * How SSH fleets' hosts are reached; default: the {@link ai.dstack.spi.host.RemoteHostProvider} on the class
         * path (dstack-backend-ssh), keeping its {@code known_hosts} in {@code <server directory>/ssh/}.
         */
        public Builder remoteHosts(RemoteHostConnector connector) {
            this.remoteHosts = new RemoteHosts(Objects.requireNonNull(connector, "connector is null"));
            return this;
        }

        /** Where state, logs and jobs live; default {@code ~/.dstack/server}. */
        public Builder serverDirectory(Path directory) {
            this.serverDirectory = Objects.requireNonNull(directory, "directory is null");
            return this;
        }

        /** A JDBC URL or dstack's form ({@code sqlite+aiosqlite:///...}, {@code postgresql+asyncpg://...}). */
        public Builder databaseUrl(String url) {
            this.databaseUrl = Objects.requireNonNull(url, "url is null");
            return this;
        }

        /**
         * Whether this machine is offered as fleet {@code local}: true means {@link LocalFleetAccess#ADMINS}.
         */
        public Builder localFleet(boolean enabled) {
            this.localFleet = enabled ? LocalFleetAccess.ADMINS : LocalFleetAccess.OFF;
            return this;
        }

        /**
         * Who may run jobs on this machine (fleet {@code local} of project {@code main}); default
         * {@link LocalFleetAccess#ADMINS} (the server's {@code DSTACK_SERVER_LOCAL_FLEET}).
         */
        public Builder localFleet(LocalFleetAccess access) {
            this.localFleet = Objects.requireNonNull(access, "access is null");
            return this;
        }

        /**
         * How many runs one user may have active or queued in a project, and one project in all (0: no limit); default
         * 100 and 500 (the server's {@code DSTACK_SERVER_MAX_ACTIVE_RUNS_PER_USER} and
         * {@code DSTACK_SERVER_MAX_ACTIVE_RUNS_PER_PROJECT}).
         */
        public Builder runLimits(int perUser, int perProject) {
            return runLimits(new RunLimits(perUser, perProject));
        }

        /** See {@link #runLimits(int, int)}. */
        public Builder runLimits(RunLimits limits) {
            this.runLimits = Objects.requireNonNull(limits, "limits is null");
            return this;
        }

        /** How many blocks the local host is split into (default: one per CPU). */
        public Builder localBlocks(int blocks) {
            if (blocks < 1) {
                throw new IllegalArgumentException("localBlocks must be at least 1, not " + blocks);
            }
            this.localBlocks = blocks;
            return this;
        }

        /** The admin's token; default: generated on first start and kept. */
        public Builder adminToken(String token) {
            this.adminToken = token;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock is null");
            return this;
        }

        /**
         * The container runtime for jobs with an {@code image} on this machine: {@code "podman"}, {@code "docker"},
         * {@code "none"}, or null (the default) for whichever of podman and docker has an engine that answers
         * ({@code podman ps} / {@code docker info}). The server's setting is {@code DSTACK_SERVER_CONTAINER_RUNTIME}.
         *
         * @throws IllegalArgumentException when {@code runtime} is none of those
         */
        public Builder containerRuntime(String runtime) {
            if (runtime != null && !java.util.List.of("podman", "docker", "none").contains(runtime)) {
                throw new IllegalArgumentException("container runtime '" + runtime
                        + "' is not one of podman, docker, none (or null to detect)");
            }
            this.containerRuntime = runtime;
            return this;
        }

        /** Runs jobs somewhere other than on this machine's processes (tests, other hosts). */
        public Builder hostExecutor(HostExecutor host, HostResources resources) {
            this.host = Objects.requireNonNull(host, "host is null");
            this.hostResources = Objects.requireNonNull(resources, "resources is null");
            return this;
        }

        /**
         * Keep each finished job's files on its host (its script, output and exit code, under
         * {@code <server dir>/local/jobs/<job id>/} on this machine), e.g. to look at them; by default they are removed
         * once the job's logs are stored.
         */
        public Builder keepFinishedJobFiles(boolean keep) {
            this.keepJobFiles = keep;
            return this;
        }

        /** How often loops look for work no event announced; default 2 s. */
        public Builder sweepInterval(Duration sweep) {
            this.sweep = Objects.requireNonNull(sweep, "sweep is null");
            return this;
        }

        /**
         * Where job logs go: a {@link LogStoreProvider#type() log storage type} on the class path and its settings;
         * default {@code "file"} (files under the server directory). E.g. {@code "cloudwatch"} with
         * {@code log_group} and {@code region}, which several server replicas can share.
         */
        public Builder logStorage(String type, Map<String, String> settings) {
            this.logStorageType = Objects.requireNonNull(type, "type is null");
            this.logStorageSettings = Map.copyOf(Objects.requireNonNull(settings, "settings is null"));
            return this;
        }

        /**
         * How long a row this engine claimed stays its own if the engine dies (default 30 s): after that, another
         * replica on the same database takes the work over.
         */
        /** How often jobs are sampled and how long samples and events are kept; dstack's defaults unless set. */
        public Builder metrics(MetricsSettings settings) {
            this.metrics = Objects.requireNonNull(settings, "settings is null");
            return this;
        }

        public Builder leaseDuration(Duration lease) {
            Objects.requireNonNull(lease, "lease is null");
            if (lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("leaseDuration must be positive, not " + lease);
            }
            this.lease = lease;
            return this;
        }

        /** Opens the stores, creates what a first start creates, and starts processing. */
        public DstackEngine build() {
            Path dir = serverDirectory != null ? serverDirectory : defaultServerDirectory();
            ServerDirectory.create(dir);
            String url = databaseUrl != null ? databaseUrl : "jdbc:sqlite:" + dir.resolve("data").resolve("sqlite.db");
            List<AutoCloseable> owned = new ArrayList<>();
            StateStore store = new EncryptingStateStore(openStateStore(url, storeOptions), encryption.encryption());
            owned.add(store);
            try {
                LogStore logs = logStoreProvider(logStorageType).create(new LogStoreContext(dir, logStorageSettings, clock));
                HostExecutor executor = host != null ? host
                        : new LocalHostExecutor(LocalHostExecutor.placeJobs(dir.resolve(ServerDirectory.LOCAL).resolve("jobs")),
                                LocalHostExecutor.defaultBaseEnvironment(), containerRuntime);
                ServerDirectory.secure(dir);
                HostResources resources = hostResources != null ? hostResources : new LocalResourceDetector(dir).detect();
                int blocks = localBlocks != null ? localBlocks : resources.cpus();
                EngineSettings settings = EngineSettings.defaults(ownerName());
                if (sweep != null || lease != null || keepJobFiles) {
                    settings = new EngineSettings(settings.owner(), lease != null ? lease : settings.lease(),
                            sweep != null ? sweep : settings.sweep(), settings.runningCheck(),
                            settings.capacityRetry(), settings.logPump(), settings.batch(), keepJobFiles);
                }
                RemoteHosts remotes = remoteHosts != null ? remoteHosts
                        : RemoteHosts.discover(dir.resolve("ssh"), DstackEngine.class.getClassLoader());
                Engine engine = new Engine(store, logs, executor, remotes, resources, blocks, localFleet,
                        adminToken, clock, settings, owned, permissions.toEngine());
                engine.runLimits(runLimits);
                engine.jobImages(jobImages);
                engine.configureMetrics(metrics);
                return new DstackEngine(engine);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }

        private static Path defaultServerDirectory() {
            return Path.of(ai.dstack.client.DstackConfig.homeDirectory(), ".dstack", "server");
        }

        /** Opens (without migrating) the state store that supports {@code url}, as stored: no decryption. */
        public static StateStore openStateStore(String url, StoreOptions options) {
            List<String> found = new ArrayList<>();
            for (StateStoreProvider provider : ServiceLoader.load(StateStoreProvider.class, DstackEngine.class.getClassLoader())) {
                found.add(provider.getClass().getName());
                if (provider.supports(url)) {
                    return provider.open(url, options);
                }
            }
            throw new DstackException(ErrorCode.INVALID_REQUEST, found.isEmpty()
                    ? "No state store on the class path: add ai.dstack:dstack-storage"
                    : "No state store supports the database URL " + url + " (tried " + String.join(", ", found) + ")");
        }

        private static LogStoreProvider logStoreProvider(String type) {
            for (LogStoreProvider provider : ServiceLoader.load(LogStoreProvider.class, DstackEngine.class.getClassLoader())) {
                if (provider.type().equals(type)) {
                    return provider;
                }
            }
            throw new DstackException(ErrorCode.INVALID_REQUEST,
                    "No log storage of type '" + type + "' on the class path: add ai.dstack:dstack-storage");
        }

        /** Unique per engine (several may share a process), so that leases say which replica holds them. */
        private static String ownerName() {
            return "engine-" + ManagementFactory.getRuntimeMXBean().getName() + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
