package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import java.util.Map;
import java.util.Objects;

/**
 * Where a service run is published.
 *
 * @param url a full URL, or a path relative to the server's URL
 * @param model the published model, or null
 * @param options gateway-specific options; empty when absent
 */
public record ServiceSpec(String url, ServiceModelSpec model, Map<String, Object> options) {
    public ServiceSpec {
        Objects.requireNonNull(url, "url is null");
        options = Values.map(options);
    }
}
