package ai.dstack.api.yaml;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.configuration.Configuration;

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
        throw new UnsupportedOperationException("not yet");
    }

    /** The configuration in dstack's JSON wire form: every field, nulls and defaults included. */
    public static String toJson(Configuration configuration) {
        throw new UnsupportedOperationException("not yet");
    }
}
