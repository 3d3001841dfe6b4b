package ai.dstack.server;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.DstackException;
import ai.dstack.core.DatabaseEncryption;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.ServerConfiguration;
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
    private final Optional<ServerConfiguration> config;

    private ServerStartup(ServerSettings settings, Optional<ServerConfiguration> config) {
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
            return new ServerStartup(settings, ServerConfiguration.load(settings.configFile()));
        } catch (ConfigurationException e) {
            throw new InvalidSettingException("Invalid " + settings.configFile() + ":\n" + ServerConfiguration.describe(e));
        } catch (DstackException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    public Optional<ServerConfiguration> config() {
        return config;
    }

    /** config.yml's encryption: its keys in order, or identity. */
    public DatabaseEncryption encryption() {
        return config.map(ServerConfiguration::encryption).orElse(DatabaseEncryption.identity());
    }

    /** An engine builder with the settings and config.yml's encryption and permissions. */
    public DstackEngine.Builder engine() {
        if (config.isEmpty() && !settings.configDisabled()) {
            LOG.info("No server/config.yml. Skipping encryption configuration.");
        }
        DstackEngine.Builder builder = DstackEngine.builder().serverDirectory(settings.serverDirectory())
                .databaseUrl(settings.effectiveDatabaseUrl()).storeOptions(settings.storeOptions())
                .encryption(encryption()).localFleet(settings.localFleet())
                .runLimits(settings.runLimits()).containerRuntime(settings.containerRuntime())
                .jobImages(settings.jobImages());
        config.flatMap(ServerConfiguration::defaultPermissions).ifPresent(builder::defaultPermissions);
        if (settings.localFleetBlocks() != null) {
            builder.localBlocks(settings.localFleetBlocks());
        }
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
        if (config.isEmpty()) {
            LOG.info("Initializing the default configuration...");
            engine.writeDefaultServerConfiguration(settings.configFile());
            LOG.info("Initialized the default configuration at {}", settings.configFile());
        } else {
            LOG.info("Applying {}...", settings.configFile());
            config.get().warnings().forEach(warning -> LOG.warn("{}", warning));
            engine.applyServerConfiguration(config.get());
        }
        // Backends changed over the API go into config.yml, which the next start applies (as dstack does).
        engine.saveBackendChangesTo(settings.configFile());
    }

    /**
     * {@code dstack server re-encrypt}: rewrites every encrypted value of the database with config.yml's first key,
     * in one transaction.
     *
     * @return how many values were rewritten
     */
    public int reEncrypt() {
        return encryption().reEncrypt(settings.effectiveDatabaseUrl(), settings.storeOptions());
    }

    /** The key new values are written with, for messages: {@code aes:<name>} or {@code identity}. */
    public String currentKey() {
        return encryption().currentKey();
    }
}
