package ai.dstack.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.client.internal.ClientProviders;
import ai.dstack.client.spi.DstackClientProvider;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The entry point: a {@link DstackClient} for a remote server or for an engine embedded in this JVM, picked by code or
 * by configuration alone.
 *
 * <pre>{@code
 * DstackClient remote = Dstack.remote("http://127.0.0.1:3000", token);
 * DstackClient configured = Dstack.fromConfig();        // ~/.dstack/config.yml, as dstack's CLI
 *
 * // Switch by configuration: dstack.mode=embedded or dstack.mode=remote (the default)
 * Properties settings = new Properties();
 * settings.load(Files.newBufferedReader(Path.of("app.properties")));
 * try (DstackClient client = Dstack.connect(settings)) { ... }
 * }</pre>
 *
 * <p>Modes are served by {@link DstackClientProvider}s found with {@link java.util.ServiceLoader}: {@code remote}
 * comes with this module, {@code embedded} with the engine module when it is on the class path. The settings of
 * the {@code remote} mode are the constants below; without {@value #URL} it reads the environment and the client
 * config file like {@link RemoteDstackClient#fromConfig()}. Other modes define their own settings.
 */
public final class Dstack {
    /** Which kind of client: {@code remote} (default) or {@code embedded}, or any other provider's type. */
    public static final String MODE = "dstack.mode";
    /** The server URL (remote). */
    public static final String URL = "dstack.url";
    /** The user token (remote; required with {@value #URL}). */
    public static final String TOKEN = "dstack.token";
    /** The default project. */
    public static final String PROJECT = "dstack.project";
    /** The client config file to read instead of {@code ~/.dstack/config.yml} (remote, without {@value #URL}). */
    public static final String CONFIG_FILE = "dstack.config-file";
    /** Remote timeouts and retries, e.g. {@code 10s}, {@code 500ms}, {@code 2m} or {@code PT30S}. */
    public static final String CONNECT_TIMEOUT = "dstack.connect-timeout";
    public static final String READ_TIMEOUT = "dstack.read-timeout";
    public static final String CALL_TIMEOUT = "dstack.call-timeout";
    public static final String MAX_ATTEMPTS = "dstack.max-attempts";
    public static final String RETRY_INTERVAL = "dstack.retry-interval";

    /** The mode used when {@value #MODE} is not set. */
    public static final String DEFAULT_MODE = "remote";

    private Dstack() {}

    /** A client for the server at {@code url}, with no default project. */
    public static RemoteDstackClient remote(String url, String token) {
        return RemoteDstackClient.builder().url(url).token(token).build();
    }

    /** A client for the server at {@code url}, with {@code project} as its default project. */
    public static RemoteDstackClient remote(String url, String token, String project) {
        return RemoteDstackClient.builder().url(url).token(token).defaultProject(project).build();
    }

    /** A remote client for the default project of {@code ~/.dstack/config.yml}; see {@link RemoteDstackClient#fromConfig()}. */
    public static RemoteDstackClient fromConfig() {
        return RemoteDstackClient.fromConfig();
    }

    /** A remote client for {@code project} of {@code ~/.dstack/config.yml}. */
    public static RemoteDstackClient fromConfig(String project) {
        return RemoteDstackClient.fromConfig(project);
    }

    /** An engine in this JVM with its default settings; needs the engine module on the class path. */
    public static DstackClient embedded() {
        return connect(Map.of(MODE, "embedded"));
    }

    /**
     * A client of the kind {@value #MODE} names (default {@value #DEFAULT_MODE}), made from {@code settings}.
     *
     * @throws DstackException with {@link ErrorCode#INVALID_REQUEST} naming the known modes when no provider serves
     *     the mode, or naming the setting that does not work
     */
    public static DstackClient connect(Map<String, String> settings) {
        return connect(settings, Dstack.class.getClassLoader());
    }

    /** {@link #connect(Map)} with string properties, e.g. loaded from a {@code .properties} file. */
    public static DstackClient connect(Properties settings) {
        Map<String, String> map = new HashMap<>();
        for (String key : settings.stringPropertyNames()) {
            map.put(key, settings.getProperty(key));
        }
        return connect(map);
    }

    /** {@link #connect(Map)} with providers found through {@code classLoader}. */
    public static DstackClient connect(Map<String, String> settings, ClassLoader classLoader) {
        String mode = settings.getOrDefault(MODE, DEFAULT_MODE);
        mode = (mode == null || mode.isBlank() ? DEFAULT_MODE : mode.strip()).toLowerCase(Locale.ROOT);
        Map<String, DstackClientProvider> providers = ClientProviders.load(classLoader);
        DstackClientProvider provider = providers.get(mode);
        if (provider == null) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Unknown " + MODE + " '" + mode + "'. Available: "
                    + String.join(", ", providers.keySet())
                    + (mode.equals("embedded") ? ". The embedded engine needs its module (dstack-core) on the class path." : "."));
        }
        Map<String, String> copy = new HashMap<>();
        settings.forEach((key, value) -> {
            if (key != null && value != null) {
                copy.put(key, value);
            }
        });
        return provider.create(Map.copyOf(copy));
    }

    /** The modes available on the class path, e.g. {@code [embedded, remote]}. */
    public static Set<String> availableModes() {
        return ClientProviders.load(Dstack.class.getClassLoader()).keySet();
    }
}
