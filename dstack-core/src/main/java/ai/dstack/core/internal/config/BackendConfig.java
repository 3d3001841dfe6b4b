package ai.dstack.core.internal.config;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * A validated backend configuration, split as dstack stores it.
 *
 * @param type the backend type, e.g. {@code aws}
 * @param config the fields without {@code creds}, {@code type} first
 * @param creds the credentials, {@code type} first
 */
public record BackendConfig(String type, ObjectNode config, ObjectNode creds) {
    public BackendConfig {
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(creds, "creds is null");
    }

    /** The configuration with {@code creds}: what dstack's API returns from create, update and config_info. */
    public ObjectNode withCreds() {
        ObjectNode all = JsonNodeFactory.instance.objectNode();
        all.setAll(config.deepCopy());
        all.set("creds", creds.deepCopy());
        return all;
    }
}
