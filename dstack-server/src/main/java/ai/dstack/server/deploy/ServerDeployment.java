package ai.dstack.server.deploy;

import ai.dstack.core.DstackEngine;
import ai.dstack.server.ServerSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The deployment settings dstack reads from the environment, in one place: the log storage
 * ({@code DSTACK_SERVER_CLOUDWATCH_LOG_GROUP}/{@code _REGION}), Litestream ({@code LITESTREAM_REPLICA_URL}) and the
 * database kind ({@code DSTACK_DATABASE_URL}) the start-up checks need.
 *
 * <pre>{@code
 * ServerDeployment deployment = ServerDeployment.fromEnvironment(System.getenv(), serverDir);
 * deployment.warnings().forEach(System.err::println);
 * deployment.beforeStart();                  // Litestream: restore if missing, start replicating
 * DstackEngine.Builder engine = deployment.configure(DstackEngine.builder().serverDirectory(serverDir));
 * ...
 * deployment.close();                        // after the server: stops Litestream
 * }</pre>
 */
public final class ServerDeployment implements AutoCloseable {
    public static final String DATABASE_URL = "DSTACK_DATABASE_URL";

    private final LogStorageSettings logStorage;
    private final Optional<Litestream> litestream;
    private final List<String> warnings;

    private ServerDeployment(LogStorageSettings logStorage, Optional<Litestream> litestream, List<String> warnings) {
        this.logStorage = logStorage;
        this.litestream = litestream;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * @throws IllegalArgumentException for a setting that is wrong (the message names the variable)
     * @throws IllegalStateException when Litestream is asked for but not installed
     */
    public static ServerDeployment fromEnvironment(Map<String, String> environment, Path serverDirectory) {
        Objects.requireNonNull(environment, "environment is null");
        Objects.requireNonNull(serverDirectory, "serverDirectory is null");
        String databaseUrl = environment.get(DATABASE_URL);
        LogStorageSettings logStorage = LogStorageSettings.fromEnvironment(environment::get);
        List<String> warnings = new ArrayList<>();
        ReplicaReadiness.warning(databaseUrl, logStorage, serverDirectory).ifPresent(warnings::add);
        return new ServerDeployment(logStorage, Litestream.fromEnvironment(environment, databaseUrl, serverDirectory),
                warnings);
    }

    /**
     * The same from settings already read and checked ({@link ServerSettings}), so that no variable is read twice;
     * {@code environment} only serves Litestream ({@code PATH}, and the environment it runs with).
     *
     * @throws IllegalStateException when Litestream is asked for but not installed
     */
    public static ServerDeployment fromSettings(ServerSettings settings, Map<String, String> environment) {
        Objects.requireNonNull(settings, "settings is null");
        Objects.requireNonNull(environment, "environment is null");
        LogStorageSettings logStorage = LogStorageSettings.of(settings.cloudWatchLogGroup(), settings.cloudWatchLogRegion());
        List<String> warnings = new ArrayList<>();
        ReplicaReadiness.warning(settings.databaseUrl(), logStorage, settings.serverDirectory()).ifPresent(warnings::add);
        return new ServerDeployment(logStorage, Litestream.of(settings.litestreamReplicaUrl(), environment,
                settings.databaseUrl(), settings.serverDirectory()), warnings);
    }

    public LogStorageSettings logStorage() {
        return logStorage;
    }

    public Optional<Litestream> litestream() {
        return litestream;
    }

    /** What the server should say at start (one line each). */
    public List<String> warnings() {
        return warnings;
    }

    /** Applies the log storage to an engine builder. */
    public DstackEngine.Builder configure(DstackEngine.Builder engine) {
        return engine.logStorage(logStorage.type(), logStorage.settings());
    }

    /** Before the engine opens the database: Litestream restores it if missing and starts replicating. */
    public void beforeStart() {
        litestream.ifPresent(replica -> {
            replica.restoreIfMissing();
            replica.startReplicating();
        });
    }

    /** After the server has stopped: stops Litestream, which ships the last changes. */
    @Override
    public void close() {
        litestream.ifPresent(Litestream::close);
    }
}
