package ai.dstack.core.internal.config;

import ai.dstack.core.internal.crypto.EncryptionKey;
import ai.dstack.core.internal.context.DefaultPermissions;
import java.util.List;

/**
 * The server's {@code config.yml}, validated.
 *
 * @param encryptionKeys {@code encryption.keys} in order; empty when absent (identity)
 * @param defaultPermissions null when the file does not set them (the server's current ones stay)
 * @param warnings what was skipped but did not stop the load, e.g. backend types this server does not support
 */
public record ServerConfig(List<Project> projects, List<EncryptionKey> encryptionKeys,
        DefaultPermissions defaultPermissions, List<String> warnings) {

    public ServerConfig {
        projects = List.copyOf(projects);
        encryptionKeys = List.copyOf(encryptionKeys);
        warnings = List.copyOf(warnings);
    }

    /**
     * One {@code projects} entry.
     *
     * @param backends the backends the project should have; backends not listed are deleted (dstack's rule, which
     *     also applies when {@code backends} is absent)
     * @param skippedTypes listed backend types this server cannot configure: left as they are
     */
    public record Project(String name, List<BackendConfig> backends, List<String> skippedTypes) {
        public Project {
            backends = List.copyOf(backends);
            skippedTypes = List.copyOf(skippedTypes);
        }
    }
}
