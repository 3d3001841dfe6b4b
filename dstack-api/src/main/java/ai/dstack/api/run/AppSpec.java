package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import java.util.Map;
import java.util.Objects;

/**
 * A port of a job that the CLI forwards.
 *
 * @param mapToPort the local port, or null for the same number
 * @param appName {@code app_<i>}
 */
public record AppSpec(int port, Integer mapToPort, String appName, String urlPath, Map<String, String> urlQueryParams) {
    public AppSpec {
        Objects.requireNonNull(appName, "appName is null");
        urlQueryParams = Values.mapOrNull(urlQueryParams);
    }
}
