package ai.dstack.api.project;

import ai.dstack.api.json.internal.Values;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A backend configured in a project.
 *
 * @param name the backend type, e.g. {@code aws}
 * @param config the backend's configuration without credentials; its shape depends on the backend
 */
public record BackendInfo(String name, JsonNode config) {
    public BackendInfo {
        Objects.requireNonNull(name, "name is null");
        config = Values.node(config);
    }
}
