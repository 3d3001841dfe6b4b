package ai.dstack.api.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.ValidationError;
import ai.dstack.api.configuration.Configuration;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Parsing helpers for the configuration tests: every failure must be a ConfigurationException with located errors. */
final class ConfigurationAssertions {
    private ConfigurationAssertions() {}

    static <T extends Configuration> T parse(String yaml, Class<T> kind) {
        T configuration = DstackYaml.parse(yaml, "test.dstack.yml", kind);
        // What we write reads back to the same thing (the server receives this form).
        JsonNode json = DstackYaml.toJsonTree(configuration);
        assertThat(DstackYaml.fromJson(json)).isEqualTo(configuration);
        return configuration;
    }

    static JsonNode json(String yaml) {
        return DstackYaml.toJsonTree(DstackYaml.parse(yaml, "test.dstack.yml"));
    }

    /** The errors of a file that must not parse; each one names the file and a line. */
    static List<ValidationError> errors(String yaml) {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> DstackYaml.parse(yaml, "test.dstack.yml"));
        assertThat(e).as("expected a ConfigurationException for:\n%s", yaml).isNotNull();
        assertThat(e.errors()).isNotEmpty().allSatisfy(error -> {
            assertThat(error.source()).isEqualTo("test.dstack.yml");
            assertThat(error.line()).as("line of %s", error).isPositive();
            assertThat(error.message()).isNotBlank();
        });
        return e.errors();
    }

    static List<String> locs(String yaml) {
        return errors(yaml).stream().map(ValidationError::loc).toList();
    }

    /** Parses {@code yaml}: it may be valid or not, but a bad value is always a ConfigurationException. */
    static void parsesOrFailsCleanly(String yaml) {
        try {
            DstackYaml.parse(yaml, "test.dstack.yml");
        } catch (ConfigurationException e) {
            assertThat(e.errors()).as(yaml).isNotEmpty().allSatisfy(error -> assertThat(error.line()).isPositive());
        }
    }
}
