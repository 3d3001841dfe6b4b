package ai.dstack.server;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.DstackException;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.internal.config.ServerConfig;
import ai.dstack.core.internal.config.ServerConfigFile;
import ai.dstack.core.internal.crypto.Encryption;
import ai.dstack.core.internal.crypto.ReEncryption;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.UserRow;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of dstack's server start-up around the engine: read {@code config.yml} (its encryption keys and
 * permissions shape the engine), then apply its projects and backends, or write the default file when there is
 * none. Also {@code dstack server re-encrypt}.
 */
public final class ServerStartup {
    private static final Logger LOG = LoggerFactory.getLogger(ServerStartup.class);

    private final ServerSettings settings;
    private final Optional<ServerConfig> config;

    private ServerStartup(ServerSettings settings, Optional<ServerConfig> config) {
        this.settings = settings;
        this.config = config;
    }

    /**
     * Reads config.yml (unless disabled).
     *
     * @throws InvalidSettingException when the file does not validate; the message lists each problem as
     *     {@code file:line:column: field: message}
     */
    public static ServerStartup prepare(ServerSettings settings) {
        if (settings.configDisabled()) {
            return new ServerStartup(settings, Optional.empty());
        }
        try {
            return new ServerStartup(settings, ServerConfigFile.load(settings.configFile()));
        } catch (ConfigurationException e) {
            throw new InvalidSettingException("Invalid " + settings.configFile() + ":\n" + ServerConfigFile.describe(e));
        } catch (DstackException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    public Optional<ServerConfig> config() {
        return config;
    }

    /** config.yml's encryption: its keys in order, or identity. */
    public Encryption encryption() {
        return config.map(c -> Encryption.of(c.encryptionKeys())).orElse(Encryption.identity());
    }

    /** An engine builder with the settings and config.yml's encryption and permissions. */
    public DstackEngine.Builder engine() {
        if (config.isEmpty() && !settings.configDisabled()) {
            LOG.info("No server/config.yml. Skipping encryption configuration.");
        }
        DstackEngine.Builder builder = DstackEngine.builder().serverDirectory(settings.serverDirectory())
                .databaseUrl(settings.effectiveDatabaseUrl()).storeOptions(settings.storeOptions())
                .encryption(encryption());
        config.map(ServerConfig::defaultPermissions).ifPresent(builder::defaultPermissions);
        if (settings.adminToken() != null) {
            builder.adminToken(settings.adminToken());
        }
        return builder;
    }

    /**
     * dstack's step after the admin and {@code main} exist: apply config.yml, or write the default one (with
     * {@code main}'s current backends) when there is none.
     */
    public void applyConfig(DstackEngine engine) {
        if (settings.configDisabled()) {
            return;
        }
        Engine internal = engine.internal();
        if (config.isEmpty()) {
            LOG.info("Initializing the default configuration...");
            ProjectRow main = internal.projects().find(engine.defaultProject()).orElseThrow();
            ServerConfigFile.writeDefault(settings.configFile(), internal.backendConfigs().list(main));
            LOG.info("Initialized the default configuration at {}", settings.configFile());
            return;
        }
        LOG.info("Applying {}...", settings.configFile());
        config.get().warnings().forEach(warning -> LOG.warn("{}", warning));
        UserRow admin = internal.users().findByName("admin").orElseThrow();
        internal.backendConfigs().apply(config.get().projects(), admin);
    }

    /**
     * {@code dstack server re-encrypt}: rewrites every encrypted value of the database with config.yml's first key,
     * in one transaction.
     *
     * @return how many values were rewritten
     */
    public int reEncrypt() {
        try (StateStore store = DstackEngine.Builder.openStateStore(settings.effectiveDatabaseUrl(),
                settings.storeOptions())) {
            store.migrate();
            return ReEncryption.run(store, encryption());
        }
    }

    /** The key new values are written with, for messages: {@code aes:<name>} or {@code identity}. */
    public String currentKey() {
        var key = encryption().current();
        return key.type().equals("identity") ? "identity" : key.type() + ":" + key.name();
    }
}
