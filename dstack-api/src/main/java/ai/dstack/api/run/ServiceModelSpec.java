package ai.dstack.api.run;

import java.util.Objects;

/**
 * The model a service publishes.
 *
 * @param baseUrl a full URL, or a path relative to the server's URL
 * @param type e.g. {@code chat}
 */
public record ServiceModelSpec(String name, String baseUrl, String type) {
    public ServiceModelSpec {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(baseUrl, "baseUrl is null");
        Objects.requireNonNull(type, "type is null");
    }
}
