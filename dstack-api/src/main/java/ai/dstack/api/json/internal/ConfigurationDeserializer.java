package ai.dstack.api.json.internal;

import ai.dstack.api.configuration.Configuration;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/**
 * Hands a configuration in a JSON document to dstack's configuration parser, which knows the {@code type}
 * discriminator, the shorthands and the defaults; Jackson's bean mapping would know none of that.
 *
 * @param <T> {@link Configuration} or one of its sub-interfaces; anything else parsed is an error
 */
public final class ConfigurationDeserializer<T extends Configuration> extends StdDeserializer<T> {
    private final Class<T> expected;

    public ConfigurationDeserializer(Class<T> expected) {
        super(expected);
        this.expected = expected;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode node = p.readValueAsTree();
        Configuration configuration = parse(node);
        if (!expected.isInstance(configuration)) {
            return (T) ctxt.reportInputMismatch(this, "expected a %s but the configuration has type '%s'",
                    expected.getSimpleName(), configuration.type().wireValue());
        }
        return expected.cast(configuration);
    }

    static Configuration parse(JsonNode node) {
        return ai.dstack.api.yaml.DstackYaml.fromJson(node);
    }
}
