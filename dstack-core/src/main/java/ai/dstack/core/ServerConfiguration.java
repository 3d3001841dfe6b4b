package ai.dstack.core;

import ai.dstack.api.ConfigurationException;
import ai.dstack.core.internal.config.ServerConfig;
import ai.dstack.core.internal.config.ServerConfigFile;
import ai.dstack.core.internal.crypto.Encryption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The server's {@code config.yml}, validated with dstack's schema: projects and their backends, encryption keys
 * and default permissions. {@link DstackEngine#applyServerConfiguration} applies its projects; its encryption and
 * permissions go to the {@link DstackEngine.Builder}. Immutable.
 */
public final class ServerConfiguration {
    public static final String FILE_NAME = ServerConfigFile.FILE_NAME;

    private final ServerConfig config;

    private ServerConfiguration(ServerConfig config) {
        this.config = config;
    }

    /**
     * The file's configuration, or empty when there is no file.
     *
     * @throws ConfigurationException listing every problem as {@code file:line:column: field: message}
     * @throws ai.dstack.api.DstackException when the file cannot be read
     */
    public static Optional<ServerConfiguration> load(Path file) {
        return ServerConfigFile.load(file).map(ServerConfiguration::new);
    }

    /** One line per problem of a file that does not validate, as {@code file:line:column: field: message}. */
    public static String describe(ConfigurationException e) {
        return ServerConfigFile.describe(e);
    }

    /** What was skipped but did not stop the load, e.g. backend types this server does not support. */
    public List<String> warnings() {
        return config.warnings();
    }

    /** {@code encryption.keys} in order; identity when absent. */
    public DatabaseEncryption encryption() {
        return DatabaseEncryption.of(Encryption.of(config.encryptionKeys()));
    }

    /** {@code default_permissions}, or empty when the file does not set them. */
    public Optional<DefaultPermissions> defaultPermissions() {
        return Optional.ofNullable(config.defaultPermissions()).map(DefaultPermissions::of);
    }

    ServerConfig config() {
        return config;
    }
}
