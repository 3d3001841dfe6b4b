package ai.dstack.core.internal.cloud;

import ai.dstack.core.internal.config.BackendConfig;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendProvider;
import ai.dstack.spi.backend.BackendProviders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Backend}s of the projects' stored backend configurations, made with the providers on the class path and
 * kept until the configuration changes (a changed or removed one is closed). Types without a provider here are
 * stored configurations only: they give no offers, and say so once in the log.
 */
public final class CloudBackends implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudBackends.class);

    private final Map<String, BackendProvider> providers = new ConcurrentHashMap<>();
    private final Map<String, Made> made = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    private record Made(BackendConfig config, Backend backend) {}

    public CloudBackends() {
        BackendProviders.all().forEach(p -> providers.putIfAbsent(p.type(), p));
    }

    /** Whether this engine can provision with {@code type}. */
    public boolean available(String type) {
        return providers.containsKey(type);
    }

    /**
     * Reads the configuration and checks its credentials with the cloud (a cheap read call), as dstack does before
     * storing a backend. Types without a provider are not checked.
     *
     * @throws BackendException when the configuration is wrong ({@code invalid_request}) or the cloud refuses the
     *     credentials ({@code invalid_credentials}), with the cloud's words
     */
    public void check(String project, BackendConfig config) {
        BackendProvider provider = providers.get(config.type());
        if (provider == null) {
            return;
        }
        try (Backend backend = provider.create(configuration(project, config))) {
            backend.checkCredentials();
        }
    }

    /** The project's backends, in the order of {@code configs}; a configuration that cannot be used is skipped. */
    public List<Backend> of(String project, List<BackendConfig> configs) {
        List<Backend> backends = new ArrayList<>();
        for (BackendConfig config : configs) {
            backend(project, config).ifPresent(backends::add);
        }
        return backends;
    }

    /** The backend of one configuration, made on first use and kept while it is unchanged. */
    public Optional<Backend> backend(String project, BackendConfig config) {
        BackendProvider provider = providers.get(config.type());
        if (provider == null) {
            if (warned.add(project + "/" + config.type())) {
                LOG.warn("Backend {} of project {} is configured, but this server has no {} backend: it gives no "
                        + "offers", config.type(), project, config.type());
            }
            return Optional.empty();
        }
        String key = project + "/" + config.type();
        Made current = made.get(key);
        if (current != null && current.config().equals(config)) {
            return Optional.of(current.backend());
        }
        synchronized (this) {
            current = made.get(key);
            if (current != null && current.config().equals(config)) {
                return Optional.of(current.backend());
            }
            try {
                Backend backend = provider.create(configuration(project, config));
                made.put(key, new Made(config, backend));
                if (current != null) {
                    current.backend().close();
                }
                return Optional.of(backend);
            } catch (BackendException e) {
                LOG.warn("Backend {} of project {} cannot be used: {}", config.type(), project, e.getMessage());
                return Optional.empty();
            }
        }
    }

    private static BackendConfiguration configuration(String project, BackendConfig config) {
        return new BackendConfiguration(project, config.config(), config.creds());
    }

    @Override
    public void close() {
        made.values().forEach(m -> m.backend().close());
        made.clear();
    }
}
