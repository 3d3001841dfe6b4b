package ai.dstack.client.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.client.ConfigResolver;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackConfig;
import ai.dstack.client.RemoteDstackClient;
import ai.dstack.client.spi.DstackClientProvider;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code remote} mode: a {@link RemoteDstackClient} from {@code dstack.url} and {@code dstack.token}, or, without
 * a URL, from the environment and the client config file ({@code dstack.config-file}, else
 * {@code ~/.dstack/config.yml}).
 */
public final class RemoteClientProvider implements DstackClientProvider {
    public static final String TYPE = "remote";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public DstackClient create(Map<String, String> settings) {
        RemoteDstackClient.Builder builder = RemoteDstackClient.builder();
        String url = value(settings, Dstack.URL);
        String project = value(settings, Dstack.PROJECT);
        if (url != null) {
            String token = value(settings, Dstack.TOKEN);
            if (token == null) {
                throw new DstackException(ErrorCode.INVALID_REQUEST, Dstack.URL + " is set, but " + Dstack.TOKEN + " is not");
            }
            builder.url(url).token(token).defaultProject(project);
        } else {
            String file = value(settings, Dstack.CONFIG_FILE);
            ConfigResolver.Settings resolved = ConfigResolver.resolve(project, System.getenv(),
                    file != null ? Path.of(file) : DstackConfig.defaultFile());
            builder.url(resolved.url()).token(resolved.token()).defaultProject(resolved.project());
            if (resolved.apiVersion() != null) {
                builder.apiVersion(resolved.apiVersion());
            }
        }
        String connectTimeout = value(settings, Dstack.CONNECT_TIMEOUT);
        if (connectTimeout != null) {
            builder.connectTimeout(Durations.parse(Dstack.CONNECT_TIMEOUT, connectTimeout));
        }
        String readTimeout = value(settings, Dstack.READ_TIMEOUT);
        if (readTimeout != null) {
            builder.readTimeout(Durations.parse(Dstack.READ_TIMEOUT, readTimeout));
        }
        String callTimeout = value(settings, Dstack.CALL_TIMEOUT);
        if (callTimeout != null) {
            builder.callTimeout(Durations.parse(Dstack.CALL_TIMEOUT, callTimeout));
        }
        String attempts = value(settings, Dstack.MAX_ATTEMPTS);
        if (attempts != null) {
            builder.maxAttempts(positiveInt(Dstack.MAX_ATTEMPTS, attempts));
        }
        String interval = value(settings, Dstack.RETRY_INTERVAL);
        if (interval != null) {
            builder.retryInterval(Durations.parse(Dstack.RETRY_INTERVAL, interval));
        }
        return builder.build();
    }

    private static int positiveInt(String key, String value) {
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 1) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new DstackException(ErrorCode.INVALID_REQUEST, key + " must be a whole number of at least 1, not '" + value + "'");
    }

    private static String value(Map<String, String> settings, String key) {
        String value = settings.get(key);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
