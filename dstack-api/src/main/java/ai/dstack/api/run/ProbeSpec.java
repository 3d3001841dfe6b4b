package ai.dstack.api.run;

import ai.dstack.api.configuration.HttpHeader;
import ai.dstack.api.json.internal.Values;
import java.util.List;
import java.util.Objects;

/**
 * A readiness probe of a service replica, with every default resolved.
 *
 * @param type {@code http}
 * @param method lower-case HTTP method; {@code get} when absent
 * @param headers {@code [{name, value}]}; empty when absent
 * @param timeout seconds
 * @param interval seconds
 * @param readyAfter successes in a row before the replica counts as ready
 * @param untilReady false when absent
 */
public record ProbeSpec(
        String type,
        String url,
        String method,
        List<HttpHeader> headers,
        String body,
        int timeout,
        int interval,
        int readyAfter,
        boolean untilReady) {
    public ProbeSpec {
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(url, "url is null");
        method = Values.orDefault(method, "get");
        headers = Values.list(headers);
    }
}
