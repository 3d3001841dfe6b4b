package ai.dstack.api.yaml;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.internal.yaml.ConfigurationJson;
import ai.dstack.api.internal.yaml.ConfigurationReader;
import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.JsonTrees;
import ai.dstack.api.yaml.reading.YamlLoader;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads {@code .dstack.yml} files as dstack does and writes configurations in dstack's JSON wire form.
 *
 * <pre>{@code
 * Configuration conf = DstackYaml.parse(Files.readString(path), path.toString());
 * String json = DstackYaml.toJson(conf);
 * }</pre>
 */
public final class DstackYaml {
    private DstackYaml() {}

    /**
     * Parses and validates one configuration.
     *
     * @param yaml the file's text
     * @param source the file name used in error messages, or {@code null}
     * @throws ConfigurationException with every problem found, each naming the field, line and column
     */
    public static Configuration parse(String yaml, String source) {
        YamlLoader.Loaded loaded = YamlLoader.load(yaml, source);
        if (loaded.error() != null) {
            throw new ConfigurationException(List.of(loaded.error()));
        }
        ReadContext ctx = new ReadContext(source);
        Configuration configuration = ConfigurationReader.read(ctx, loaded.value());
        if (!ctx.errors().isEmpty() || configuration == null) {
            throw new ConfigurationException(ctx.errors());
        }
        return configuration;
    }

    /** Parses a configuration of an expected kind, e.g. {@code parse(text, "task.yml", TaskConfiguration.class)}. */
    public static <T extends Configuration> T parse(String yaml, String source, Class<T> kind) {
        Configuration configuration = parse(yaml, source);
        if (!kind.isInstance(configuration)) {
            throw new ConfigurationException(List.of(new ai.dstack.api.ValidationError("type",
                    "Expected a " + kind.getSimpleName() + " but the configuration is of type " + configuration.type().wireValue(),
                    source, 0, 0)));
        }
        return kind.cast(configuration);
    }

    /** Reads and parses a file; I/O problems become {@link UncheckedIOException}. */
    public static Configuration read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a configuration from its JSON wire form (as in a request body), with the same rules as YAML. */
    public static Configuration fromJson(JsonNode json) {
        ReadContext ctx = new ReadContext(null);
        Configuration configuration = ConfigurationReader.read(ctx, JsonTrees.toYamlValue(json));
        if (!ctx.errors().isEmpty() || configuration == null) {
            throw new ConfigurationException(ctx.errors());
        }
        return configuration;
    }

    /** The configuration in dstack's JSON wire form: every field, nulls and defaults included. */
    public static String toJson(Configuration configuration) {
        try {
            return ConfigurationJson.mapper().writeValueAsString(configuration);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write configuration as JSON", e);
        }
    }

    /** The configuration in dstack's JSON wire form, as a tree. */
    public static JsonNode toJsonTree(Configuration configuration) {
        return ConfigurationJson.mapper().valueToTree(configuration);
    }
}
