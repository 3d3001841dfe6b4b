package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import com.fasterxml.jackson.core.JsonProcessingException;

/** Run specs as a client sends them, made from {@code .dstack.yml} text. */
final class Specs {
    static final String USER_KEY = "ssh-ed25519 AAAAuser user@host";

    private Specs() {}

    /** A spec named {@code runName} (null: unnamed) for the configuration in {@code yaml}, without a profile. */
    static RunSpec of(String runName, String yaml) {
        RunConfiguration configuration = (RunConfiguration) DstackYaml.parse(yaml, "test.dstack.yml");
        return RunSpec.newBuilder().runName(runName).configurationPath("test.dstack.yml").configuration(configuration)
                .profile(Profile.defaultProfile()).build();
    }

    /** The spec after the server's defaults, as the engine stores it. */
    static RunSpec submitted(String runName, String yaml) {
        return new RunSpecDefaults().apply(of(runName, yaml), USER_KEY);
    }

    /** What a spec reads back as after being stored as JSON. */
    static <T> T stored(T value, Class<T> type) {
        try {
            return DstackJson.mapper().readValue(DstackJson.mapper().writeValueAsString(value), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
