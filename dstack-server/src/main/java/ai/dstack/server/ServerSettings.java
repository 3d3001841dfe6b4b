package ai.dstack.server;

import ai.dstack.api.DstackException;
import ai.dstack.core.LocalFleetAccess;
import ai.dstack.core.RunLimits;
import ai.dstack.spi.storage.StoreOptions;
import ai.dstack.storage.internal.DatabaseUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The server's settings as dstack reads them from the environment, validated: a bad value is an
 * {@link InvalidSettingException} whose one-line message names the variable and what is wrong with it.
 *
 * @param serverDirectory {@code DSTACK_SERVER_DIR}, default {@code ~/.dstack/server}; absolute
 * @param databaseUrl {@code DSTACK_DATABASE_URL} as given (dstack's SQLAlchemy form, plain {@code postgresql://},
 *     or JDBC), or null for SQLite in {@code <server dir>/data/sqlite.db}
 * @param adminToken {@code DSTACK_SERVER_ADMIN_TOKEN}: used only when the admin user is created; null to generate
 * @param host {@code DSTACK_SERVER_HOST}, default {@code 127.0.0.1}
 * @param port {@code DSTACK_SERVER_PORT}, default 3000
 * @param logLevel {@code DSTACK_SERVER_LOG_LEVEL}, default {@code INFO}: one of {@link #LOG_LEVELS}, upper case
 * @param dbPoolSize {@code DSTACK_DB_POOL_SIZE}, default 20
 * @param dbMaxOverflow {@code DSTACK_DB_MAX_OVERFLOW}, default 20
 * @param cloudWatchLogGroup {@code DSTACK_SERVER_CLOUDWATCH_LOG_GROUP}, or null for file logs
 * @param cloudWatchLogRegion {@code DSTACK_SERVER_CLOUDWATCH_LOG_REGION}, or null for the SDK's default region
 * @param litestreamReplicaUrl {@code LITESTREAM_REPLICA_URL}, or null
 * @param configDisabled the {@code DSTACK_SERVER_CONFIG_DISABLED} flag: config.yml is never read or written
 * @param serverUrl {@code DSTACK_SERVER_URL}, or null for {@code http://host:port}
 * @param ui {@code DSTACK_SERVER_UI}: {@code on} (default) serves the web UI at {@code /}, {@code off} does not
 * @param localFleet {@code DSTACK_SERVER_LOCAL_FLEET}: who may run jobs on this machine (fleet {@code local} of
 *     project {@code main}): {@code admins} (default), {@code members} or {@code off}
 * @param runLimits {@code DSTACK_SERVER_MAX_ACTIVE_RUNS_PER_USER} (default 100) and
 *     {@code DSTACK_SERVER_MAX_ACTIVE_RUNS_PER_PROJECT} (default 500): active or queued runs, 0 for no limit
 * @param localFleetBlocks {@code DSTACK_SERVER_LOCAL_FLEET_BLOCKS}: how many blocks (jobs of one block) the local
 *     fleet's host is shared into, or null for one per CPU
 * @param containerRuntime {@code DSTACK_SERVER_CONTAINER_RUNTIME}: {@code podman}, {@code docker} or {@code none} for
 *     jobs with an {@code image} on this machine, or null to use whichever engine answers
 * @param jobImages {@code DSTACK_SERVER_BASE_IMAGE}, {@code DSTACK_SERVER_BASE_IMAGE_VERSION},
 *     {@code DSTACK_SERVER_BASE_IMAGE_UBUNTU_VERSION}, {@code DSTACK_SERVER_DIND_IMAGE}: the images of jobs with
 *     {@code python:}/{@code nvcc:} or {@code docker: true} and no {@code image:}; dstack's by default
 */
public record ServerSettings(
        Path serverDirectory,
        String databaseUrl,
        String adminToken,
        String host,
        int port,
        String logLevel,
        int dbPoolSize,
        int dbMaxOverflow,
        String cloudWatchLogGroup,
        String cloudWatchLogRegion,
        String litestreamReplicaUrl,
        boolean configDisabled,
        String serverUrl,
        boolean ui,
        LocalFleetAccess localFleet,
        RunLimits runLimits,
        Integer localFleetBlocks,
        String containerRuntime,
        ai.dstack.core.JobImages jobImages) {

    public static final Set<String> LOG_LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARNING", "WARN", "ERROR", "CRITICAL");
    /** CloudWatch's rule for log group names. */
    private static final Pattern LOG_GROUP = Pattern.compile("[.\\-_/#A-Za-z0-9]{1,512}");
    private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

    public ServerSettings {
        Objects.requireNonNull(serverDirectory, "serverDirectory is null");
        Objects.requireNonNull(host, "host is null");
        Objects.requireNonNull(logLevel, "logLevel is null");
        Objects.requireNonNull(localFleet, "localFleet is null");
        Objects.requireNonNull(runLimits, "runLimits is null");
        jobImages = jobImages == null ? ai.dstack.core.JobImages.DSTACK : jobImages;
    }

    /**
     * Reads and validates the settings.
     *
     * @param env the environment, e.g. {@code System::getenv}
     * @param home the user's home directory, for the default server directory
     * @throws InvalidSettingException naming the first bad variable
     */
    public static ServerSettings fromEnvironment(Function<String, String> env, Path home) {
        Path dir = serverDirectory(env.apply("DSTACK_SERVER_DIR"), home);
        String databaseUrl = databaseUrl(blankToNull(env.apply("DSTACK_DATABASE_URL")));
        String host = blankToNull(env.apply("DSTACK_SERVER_HOST"));
        int port = port("DSTACK_SERVER_PORT", env.apply("DSTACK_SERVER_PORT"), 3000);
        String level = logLevel("DSTACK_SERVER_LOG_LEVEL", env.apply("DSTACK_SERVER_LOG_LEVEL"));
        int pool = integer("DSTACK_DB_POOL_SIZE", env.apply("DSTACK_DB_POOL_SIZE"), 20, 1);
        int overflow = integer("DSTACK_DB_MAX_OVERFLOW", env.apply("DSTACK_DB_MAX_OVERFLOW"), 20, 0);
        String group = blankToNull(env.apply("DSTACK_SERVER_CLOUDWATCH_LOG_GROUP"));
        if (group != null && !LOG_GROUP.matcher(group).matches()) {
            throw invalid("DSTACK_SERVER_CLOUDWATCH_LOG_GROUP", group,
                    "not a CloudWatch log group name (1-512 of letters, digits, '.', '-', '_', '/', '#')");
        }
        String region = blankToNull(env.apply("DSTACK_SERVER_CLOUDWATCH_LOG_REGION"));
        if (region != null && !AWS_REGION.matcher(region).matches()) {
            throw invalid("DSTACK_SERVER_CLOUDWATCH_LOG_REGION", region, "not an AWS region name, e.g. us-east-1");
        }
        if (region != null && group == null) {
            throw new InvalidSettingException("DSTACK_SERVER_CLOUDWATCH_LOG_REGION is set but "
                    + "DSTACK_SERVER_CLOUDWATCH_LOG_GROUP is not: set the log group too, or unset the region");
        }
        LocalFleetAccess localFleet;
        RunLimits runLimits;
        ai.dstack.core.JobImages jobImages;
        try {
            jobImages = ai.dstack.core.JobImages.fromEnvironment(env);
            localFleet = LocalFleetAccess.parse(env.apply(LocalFleetAccess.VARIABLE));
            runLimits = RunLimits.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
        String litestream = litestream(blankToNull(env.apply("LITESTREAM_REPLICA_URL")));
        String serverUrl = blankToNull(env.apply("DSTACK_SERVER_URL"));
        if (serverUrl != null && !serverUrl.matches("https?://.+")) {
            throw invalid("DSTACK_SERVER_URL", serverUrl, "expected http://host:port or https://host");
        }
        boolean ui = onOff("DSTACK_SERVER_UI", env.apply("DSTACK_SERVER_UI"), true);
        String blocks = env.apply("DSTACK_SERVER_LOCAL_FLEET_BLOCKS");
        Integer localFleetBlocks = blocks == null || blocks.isBlank() ? null
                : integer("DSTACK_SERVER_LOCAL_FLEET_BLOCKS", blocks, 1, 1);
        return new ServerSettings(dir, databaseUrl, blankToNull(env.apply("DSTACK_SERVER_ADMIN_TOKEN")),
                host != null ? host : "127.0.0.1", port, level, pool, overflow, group, region, litestream,
                env.apply("DSTACK_SERVER_CONFIG_DISABLED") != null, serverUrl, ui, localFleet, runLimits,
                localFleetBlocks, containerRuntime(blankToNull(env.apply("DSTACK_SERVER_CONTAINER_RUNTIME"))), jobImages);
    }

    /** The database URL the server uses: {@link #databaseUrl} or SQLite in the server directory. */
    public String effectiveDatabaseUrl() {
        return databaseUrl != null ? databaseUrl
                : "jdbc:sqlite:" + serverDirectory.resolve("data").resolve("sqlite.db");
    }

    /** Whether the database is SQLite (Litestream's case). */
    public boolean usesSqlite() {
        return DatabaseUrl.parse(effectiveDatabaseUrl()).sqliteFile() != null;
    }

    /** {@code $DSTACK_SERVER_DIR/config.yml}. */
    public Path configFile() {
        return serverDirectory.resolve("config.yml");
    }

    /**
     * The pool as dstack sizes it: {@code pool_size} connections kept plus {@code max_overflow} more on demand,
     * so at most their sum (HikariCP has no overflow; its maximum is the sum).
     */
    public StoreOptions storeOptions() {
        return StoreOptions.defaults().withMaxConnections(dbPoolSize + dbMaxOverflow);
    }

    /** A copy with command-line options taking precedence; a null argument keeps the current value. */
    public ServerSettings withOverrides(String host, Integer port, String adminToken, String logLevel) {
        return new ServerSettings(serverDirectory, databaseUrl, adminToken != null ? adminToken : this.adminToken,
                host != null ? host : this.host, port != null ? checkPort("--port", port) : this.port,
                logLevel != null ? logLevel("--log-level", logLevel) : this.logLevel, dbPoolSize, dbMaxOverflow,
                cloudWatchLogGroup, cloudWatchLogRegion, litestreamReplicaUrl, configDisabled, serverUrl, ui, localFleet,
                runLimits, localFleetBlocks, containerRuntime, jobImages);
    }

    private static String containerRuntime(String value) {
        if (value != null && !Set.of("podman", "docker", "none").contains(value.toLowerCase(java.util.Locale.ROOT))) {
            throw invalid("DSTACK_SERVER_CONTAINER_RUNTIME", value, "expected podman, docker or none (unset: use"
                    + " whichever of podman and docker has an engine that answers)");
        }
        return value == null ? null : value.toLowerCase(java.util.Locale.ROOT);
    }

    private static Path serverDirectory(String value, Path home) {
        if (value == null || value.isBlank()) {
            return home.resolve(".dstack").resolve("server").toAbsolutePath().normalize();
        }
        String expanded = value.startsWith("~/") ? home + value.substring(1) : value;
        try {
            return Path.of(expanded).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw invalid("DSTACK_SERVER_DIR", value, "not a path: " + e.getReason());
        }
    }

    private static String databaseUrl(String value) {
        if (value == null) {
            return null;
        }
        try {
            DatabaseUrl.parse(value);
        } catch (DstackException e) {
            throw new InvalidSettingException("DSTACK_DATABASE_URL: " + e.getMessage());
        }
        return value;
    }

    private static String litestream(String value) {
        if (value == null) {
            return null;
        }
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null || uri.getRawSchemeSpecificPart().replace("/", "").isEmpty()) {
                throw invalid("LITESTREAM_REPLICA_URL", value, "expected a replica URL such as s3://bucket/path");
            }
        } catch (URISyntaxException e) {
            throw invalid("LITESTREAM_REPLICA_URL", value, "not a URL: " + e.getReason());
        }
        return value;
    }

    private static int port(String name, String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        int port;
        try {
            port = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw invalid(name, value, "not a port number (0-65535)");
        }
        if (port < 0 || port > 65535) {
            throw invalid(name, value, "not a port number (0-65535)");
        }
        return port;
    }

    private static int checkPort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw invalid(name, Integer.toString(port), "not a port number (0-65535)");
        }
        return port;
    }

    private static int integer(String name, String value, int fallback, int min) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw invalid(name, value, "not a whole number");
        }
        if (parsed < min) {
            throw invalid(name, value, "must be at least " + min);
        }
        return parsed;
    }

    private static String logLevel(String name, String value) {
        if (value == null || value.isBlank()) {
            return "INFO";
        }
        String level = value.strip().toUpperCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            throw invalid(name, value, "expected TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL");
        }
        return level;
    }

    private static boolean onOff(String name, String value, boolean fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "1", "yes" -> true;
            case "off", "false", "0", "no" -> false;
            default -> throw invalid(name, value, "expected on or off");
        };
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static InvalidSettingException invalid(String name, String value, String problem) {
        return new InvalidSettingException(name + " is '" + value + "': " + problem);
    }
}
