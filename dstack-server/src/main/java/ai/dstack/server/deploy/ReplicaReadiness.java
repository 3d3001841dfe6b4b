package ai.dstack.server.deploy;

import java.nio.file.Path;
import java.util.Optional;

/**
 * dstack's rule for several server replicas: they share a PostgreSQL database and need an external log storage,
 * since files are per machine. PostgreSQL usually means replicas, so the server says so at start.
 */
final class ReplicaReadiness {
    private ReplicaReadiness() {}

    static Optional<String> warning(String databaseUrl, LogStorageSettings logStorage, Path serverDirectory) {
        if (!DatabaseKind.isPostgres(databaseUrl) || logStorage.isExternal()) {
            return Optional.empty();
        }
        return Optional.of("PostgreSQL is in use but job logs are kept in files under "
                + serverDirectory.resolve("projects") + ": several server replicas need an external log storage "
                + "(set " + LogStorageSettings.CLOUDWATCH_LOG_GROUP + "); otherwise each replica serves only the logs "
                + "it wrote");
    }
}
