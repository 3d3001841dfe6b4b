package ai.dstack.core;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.context.EngineSettings;
import ai.dstack.core.internal.crypto.EncryptingStateStore;
import ai.dstack.core.internal.crypto.Encryption;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.core.internal.host.LocalResourceDetector;
import ai.dstack.core.internal.context.DefaultPermissions;
import ai.dstack.core.internal.placement.RemoteHosts;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.HostResources;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.spi.logs.LogListener;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogStoreContext;
import ai.dstack.spi.logs.LogStoreProvider;
import ai.dstack.spi.logs.LogSubscription;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StateStoreProvider;
import ai.dstack.spi.storage.StoreOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.TimeoutException;

/**
 * dstack's orchestration engine, embedded: runs tasks on this machine (the {@code local} fleet) with state in SQLite
 * (or PostgreSQL) and logs in files, exactly as a dstack server would keep them.
 *
 * <pre>{@code
 * try (DstackEngine engine = DstackEngine.builder().serverDirectory(Path.of("/tmp/dstack")).build()) {
 *     Run run = engine.submit(DstackYaml.parse("type: task\ncommands: [echo hi]\n", null, TaskConfiguration.class));
 *     Run done = engine.awaitFinished(run.runSpec().runName(), Duration.ofMinutes(1));
 *     engine.logs(done.runSpec().runName(), LogQuery.defaults()).events().forEach(e -> System.out.print(e.message()));
 * }
 * }</pre>
 *
 * Jobs are detached processes: they outlive the engine, and an engine started again on the same directory picks
 * them up. Thread-safe; close it to stop its background threads (jobs keep running).
 */
public final class DstackEngine implements AutoCloseable {
    private final Engine engine;

    private DstackEngine(Engine engine) {
        this.engine = engine;
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

    /** Submits a configuration to project {@code main}; the run gets a random name unless the configuration has one. */
    public Run submit(RunConfiguration configuration) {
        return submit(defaultProject(), RunSpec.newBuilder().configuration(configuration).build());
    }

    /** dstack's {@code runs/apply} for a new run. */
    public Run submit(String project, RunSpec spec) {
        return engine.submit(project, spec);
    }

    /** @throws DstackException with {@link ErrorCode#RESOURCE_NOT_EXISTS} when there is no such run */
    public Run get(String runName) {
        return engine.get(defaultProject(), runName);
    }

    public Run get(String project, String runName) {
        return engine.get(project, runName);
    }

    /** The project's runs, newest first. */
    public List<Run> list(String project) {
        return engine.list(project, 1000);
    }

    /** Stops a run gracefully (SIGTERM, then SIGKILL after {@code stop_duration}), or at once with {@code abort}. */
    public void stop(String project, String runName, boolean abort) {
        engine.stop(project, runName, abort);
    }

    public void stop(String runName) {
        stop(defaultProject(), runName, false);
    }

    /** Deletes a finished run. */
    public void delete(String project, String runName) {
        engine.delete(project, runName);
    }

    /** Blocks until the run finishes (done, failed or terminated) and returns it. */
    public Run awaitFinished(String runName, Duration timeout) throws TimeoutException, InterruptedException {
        return engine.awaitFinished(defaultProject(), runName, timeout);
    }

    public Run awaitFinished(String project, String runName, Duration timeout) throws TimeoutException, InterruptedException {
        return engine.awaitFinished(project, runName, timeout);
    }

    /** A page of the run's logs, with dstack's paging ({@code next_token}, {@code start_time}, descending). */
    public LogPage logs(String runName, LogQuery query) {
        return engine.logs(defaultProject(), runName, query);
    }

    public LogPage logs(String project, String runName, LogQuery query) {
        return engine.logs(project, runName, query);
    }

    /** The run's logs so far, then each new line as it is written, until the subscription is closed. */
    public LogSubscription followLogs(String project, String runName, LogListener listener) {
        return engine.followLogs(project, runName, listener);
    }

    /** Sets a project secret, available to runs as {@code ${{ secrets.NAME }}}. */
    public void setSecret(String project, String name, String value) {
        engine.setSecret(project, name, value);
    }

    /**
     * The engine's internal services (users, projects, secrets, repos, fleets, runs per calling user), for dstack's
     * REST server. Not a public API: these types live in an {@code .internal} package and may change in any release.
     */
    /**
     * Creates or updates an SSH fleet in project {@code main}, as {@code dstack apply} of a fleet file does. Its
     * instances start {@code pending} and become {@code idle} once their hosts are checked; see {@link #fleet}.
     */
    public Fleet applyFleet(FleetConfiguration configuration) {
        return engine.applyFleet(defaultProject(), new FleetSpec(configuration, null, Profile.defaultProfile(), false));
    }

    /** A fleet of project {@code main} with its instances. */
    public Fleet fleet(String name) {
        return engine.fleet(defaultProject(), name);
    }

    /** Deletes a fleet of project {@code main}; refused while its instances run jobs. */
    public void deleteFleet(String name) {
        engine.deleteFleet(defaultProject(), name);
    }

    /** The newest metrics sample of the run's first job in project {@code main} (dstack's {@code dstack metrics}). */
    public ai.dstack.api.metrics.JobMetrics metrics(String runName) {
        return engine.metrics(defaultProject(), runName, 0, 0, 1);
    }

    /** A job's newest {@code limit} samples. */
    public ai.dstack.api.metrics.JobMetrics metrics(String project, String runName, int replicaNum, int jobNum, int limit) {
        return engine.metrics(project, runName, replicaNum, jobNum, limit);
    }

    /** What happened to runs, jobs, fleets, users and projects, as the admin sees it (dstack's {@code events/list}). */
    public java.util.List<ai.dstack.api.event.Event> events(ai.dstack.api.event.ListEventsRequest request) {
        return engine.events(request);
    }

    public Engine internal() {
        return engine;
    }

    /** Stops the engine's threads and closes its stores. Running jobs go on; a new engine adopts them. */
    @Override
    public void close() {
        engine.close();
    }

    /** Configures an engine; every setting has dstack's default. */
    public static final class Builder {
        private static final java.util.concurrent.atomic.AtomicInteger ENGINES = new java.util.concurrent.atomic.AtomicInteger();
        private Path serverDirectory;
        private String databaseUrl;
        private boolean localFleet = !"false".equalsIgnoreCase(System.getenv("DSTACK_SERVER_LOCAL_FLEET"));
        private Integer localBlocks;
        private String adminToken;
        private Clock clock = Clock.systemUTC();
        private HostExecutor host;
        private HostResources hostResources;
        private Duration sweep;
        private String logStorageType = "file";
        private java.util.Map<String, String> logStorageSettings = java.util.Map.of();
        private Encryption encryption = Encryption.identity();
        private DefaultPermissions permissions = DefaultPermissions.DSTACK;
        private StoreOptions storeOptions = StoreOptions.defaults();
        private Duration lease;
        private MetricsSettings metrics = MetricsSettings.DSTACK;
        private RemoteHosts remoteHosts;

        private Builder() {}

        /**
         * How tokens, SSH private keys, secrets and backend credentials are encrypted in the database (config.yml's
         * {@code encryption.keys}); default identity (stored as {@code enc:identity:noname:<plaintext>}).
         */
        public Builder encryption(Encryption encryption) {
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

        /** Where state, logs and jobs live; default {@code $DSTACK_SERVER_DIR} or {@code ~/.dstack/server}. */
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
         * Whether this machine is offered as fleet {@code local}: default true unless {@code DSTACK_SERVER_LOCAL_FLEET}
         * is {@code false}. Members of project {@code main} then run commands as this process's user.
         */
        public Builder localFleet(boolean enabled) {
            this.localFleet = enabled;
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

        /** Runs jobs somewhere other than on this machine's processes (tests, other hosts). */
        public Builder hostExecutor(HostExecutor host, HostResources resources) {
            this.host = Objects.requireNonNull(host, "host is null");
            this.hostResources = Objects.requireNonNull(resources, "resources is null");
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
        public Builder logStorage(String type, java.util.Map<String, String> settings) {
            this.logStorageType = Objects.requireNonNull(type, "type is null");
            this.logStorageSettings = java.util.Map.copyOf(Objects.requireNonNull(settings, "settings is null"));
            return this;
        }

        /**
         * How long a row this engine claimed stays its own if the engine dies (default 30 s): after that, another
         * replica on the same database takes the work over.
         */
        public Builder leaseDuration(Duration lease) {
            Objects.requireNonNull(lease, "lease is null");
            if (lease.isNegative() || lease.isZero()) {
                throw new IllegalArgumentException("leaseDuration must be positive, not " + lease);
            }
            this.lease = lease;
            return this;
        }

        /** How often jobs are sampled and how long samples and events are kept; dstack's defaults unless set. */
        public Builder metrics(MetricsSettings settings) {
            this.metrics = Objects.requireNonNull(settings, "settings is null");
            return this;
        }

        /** Opens the stores, creates what a first start creates, and starts processing. */
        public DstackEngine build() {
            Path dir = serverDirectory != null ? serverDirectory : defaultServerDirectory();
            createDirectory(dir);
            String url = databaseUrl != null ? databaseUrl : "jdbc:sqlite:" + dir.resolve("data").resolve("sqlite.db");
            List<AutoCloseable> owned = new ArrayList<>();
            StateStore store = new EncryptingStateStore(openStateStore(url, storeOptions), encryption);
            owned.add(store);
            try {
                LogStore logs = logStoreProvider(logStorageType).create(new LogStoreContext(dir, logStorageSettings, clock));
                HostExecutor executor = host != null ? host : new LocalHostExecutor(dir.resolve("local").resolve("jobs"));
                HostResources resources = hostResources != null ? hostResources : new LocalResourceDetector(dir).detect();
                int blocks = localBlocks != null ? localBlocks : resources.cpus();
                EngineSettings settings = EngineSettings.defaults(ownerName());
                if (sweep != null || lease != null) {
                    settings = new EngineSettings(settings.owner(), lease != null ? lease : settings.lease(),
                            sweep != null ? sweep : settings.sweep(), settings.runningCheck(),
                            settings.capacityRetry(), settings.logPump(), settings.batch());
                }
                RemoteHosts remotes = remoteHosts != null ? remoteHosts
                        : RemoteHosts.discover(dir.resolve("ssh"), DstackEngine.class.getClassLoader());
                Engine engine = new Engine(store, logs, executor, remotes, resources, blocks, localFleet,
                        adminToken, clock, settings, owned, permissions);
                engine.configureMetrics(metrics);
                return new DstackEngine(engine);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }

        private static Path defaultServerDirectory() {
            String env = System.getenv("DSTACK_SERVER_DIR");
            return env != null && !env.isBlank() ? Path.of(env) : Path.of(ai.dstack.client.DstackConfig.homeDirectory(), ".dstack", "server");
        }

        private static void createDirectory(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new DstackException(ErrorCode.INTERNAL, "Cannot create the server directory " + dir + ": " + e.getMessage(), e);
            }
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
            return "engine-" + ManagementFactory.getRuntimeMXBean().getName() + "-" + ENGINES.incrementAndGet();
        }
    }
}
