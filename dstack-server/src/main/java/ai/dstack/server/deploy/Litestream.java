package ai.dstack.server.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What dstack's server image does with {@code LITESTREAM_REPLICA_URL}: restore the SQLite database from the replica
 * when the file is missing ({@code litestream restore -if-replica-exists -o <db> <url>}), then keep
 * {@code litestream replicate <db> <url>} running beside the server, stopped (SIGTERM, so it flushes) when the
 * server stops. dstack's image wraps the server with {@code replicate -exec}; here the server owns the child instead,
 * so the same behaviour works outside a container too. Litestream has no config file; credentials come from its
 * usual variables (AWS keys, {@code GOOGLE_APPLICATION_CREDENTIALS}, {@code LITESTREAM_AZURE_ACCOUNT_KEY}).
 */
public final class Litestream implements AutoCloseable {
    public static final String REPLICA_URL = "LITESTREAM_REPLICA_URL";
    private static final Logger LOG = LoggerFactory.getLogger(Litestream.class);
    private static final long STOP_WAIT_SECONDS = 30;

    private final Path binary;
    private final Map<String, String> environment;
    private final String replicaUrl;
    private final Path database;
    private Process replication;
    private volatile boolean stopping;

    /**
     * @param binary the {@code litestream} executable
     * @param environment the child processes' whole environment (credentials for the replica live there)
     * @param replicaUrl e.g. {@code s3://bucket/path}, {@code gcs://…}, {@code abs://…}
     * @param database the SQLite file to restore and replicate
     */
    public Litestream(Path binary, Map<String, String> environment, String replicaUrl, Path database) {
        this.binary = Objects.requireNonNull(binary, "binary is null");
        this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment is null"));
        this.replicaUrl = Objects.requireNonNull(replicaUrl, "replicaUrl is null");
        this.database = Objects.requireNonNull(database, "database is null").toAbsolutePath();
    }

    /**
     * The {@code litestream} on the environment's {@code PATH}.
     *
     * @throws IllegalStateException naming the variable and the fix when there is none
     */
    public static Path findBinary(Map<String, String> environment) {
        String path = environment.getOrDefault("PATH", "");
        for (String directory : path.split(File.pathSeparator)) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, "litestream");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        throw new IllegalStateException(REPLICA_URL + " is set but there is no litestream executable on PATH ("
                + path + "): install Litestream (https://litestream.io/install) or unset " + REPLICA_URL);
    }

    public Path database() {
        return database;
    }

    /**
     * Restores the database from the replica if the file does not exist (nothing happens when the replica is empty
     * either). Waits for it to finish; its output goes to the server's.
     *
     * @return whether a restore was attempted
     * @throws IllegalStateException if the restore fails
     */
    public boolean restoreIfMissing() {
        if (Files.exists(database)) {
            return false;
        }
        try {
            Files.createDirectories(database.getParent());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create " + database.getParent() + " for the restored database: " + e);
        }
        LOG.info("Restoring {} from {}", database, replicaUrl);
        Process restore = start(List.of(binary.toString(), "restore", "-if-replica-exists", "-o", database.toString(),
                replicaUrl));
        int exit;
        try {
            exit = restore.waitFor();
        } catch (InterruptedException e) {
            restore.destroy();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while restoring " + database + " from " + replicaUrl);
        }
        if (exit != 0) {
            throw new IllegalStateException("litestream restore of " + database + " from " + replicaUrl
                    + " failed with exit code " + exit + " (its output is above)");
        }
        return true;
    }

    /** Starts {@code litestream replicate <db> <url>} beside the server. */
    public synchronized void startReplicating() {
        if (replication != null) {
            throw new IllegalStateException("Litestream is already replicating " + database);
        }
        LOG.info("Replicating {} to {} with Litestream", database, replicaUrl);
        Process started = start(List.of(binary.toString(), "replicate", database.toString(), replicaUrl));
        started.onExit().thenAccept(exited -> {
            if (!stopping) {
                LOG.error("litestream replicate exited with code {}: {} is no longer replicated to {}",
                        exited.exitValue(), database, replicaUrl);
            }
        });
        replication = started;
    }

    /** Whether {@code litestream replicate} is running. */
    public synchronized boolean isReplicating() {
        return replication != null && replication.isAlive();
    }

    /** Stops replication: SIGTERM so Litestream ships the last changes, then a kill if it hangs. */
    @Override
    public synchronized void close() {
        stopping = true;
        if (replication == null) {
            return;
        }
        replication.destroy();
        try {
            if (!replication.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("litestream replicate did not stop within {} s; killing it", STOP_WAIT_SECONDS);
                replication.destroyForcibly().waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            replication.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Configured from the environment, if {@value #REPLICA_URL} is set. */
    static Optional<Litestream> fromEnvironment(Map<String, String> environment, String databaseUrl, Path serverDirectory) {
        return of(environment.get(REPLICA_URL), environment, databaseUrl, serverDirectory);
    }

    /** @param environment the server's environment: where {@code litestream} is found, and what it runs with */
    static Optional<Litestream> of(String replicaUrl, Map<String, String> environment, String databaseUrl,
            Path serverDirectory) {
        if (replicaUrl == null || replicaUrl.isBlank()) {
            return Optional.empty();
        }
        Path database = DatabaseKind.sqliteFile(databaseUrl, serverDirectory).orElseThrow(() ->
                new IllegalArgumentException(REPLICA_URL + " is set but DSTACK_DATABASE_URL is not SQLite: Litestream "
                        + "replicates SQLite only; unset one of them"));
        return Optional.of(new Litestream(findBinary(environment), environment, replicaUrl.strip(), database));
    }

    private Process start(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + binary + ": " + e.getMessage());
        }
    }
}
