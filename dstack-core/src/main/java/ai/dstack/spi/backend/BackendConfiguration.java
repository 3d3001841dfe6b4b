package ai.dstack.spi.backend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A backend's configuration as dstack stores it, handed to {@link BackendProvider#create}.
 *
 * @param project the project the backend belongs to; used in the names and tags of what it creates
 * @param config dstack's fields without {@code creds}, with {@code type}
 * @param creds the credentials, with their {@code type} (e.g. {@code access_key} or {@code default})
 */
public record BackendConfiguration(String project, ObjectNode config, ObjectNode creds) {
    public BackendConfiguration {
        Objects.requireNonNull(project, "project is null");
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(creds, "creds is null");
    }

    /** The backend type, from {@code config.type}. */
    public String type() {
        return config.path("type").asText();
    }
}
