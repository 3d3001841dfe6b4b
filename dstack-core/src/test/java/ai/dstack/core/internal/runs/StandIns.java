package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.ConfigurationType;
import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.configuration.RunBase;
import ai.dstack.api.configuration.RunConfiguration;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Map;

/**
 * Dev environments and services written in dstack's wire form, standing in for the configuration records that are
 * being added next to this code: the job factory reads these types only through their wire form.
 */
final class StandIns {
    private StandIns() {}

    @JsonPropertyOrder({"type"})
    record DevEnvironment(@JsonUnwrapped RunBase base, @JsonUnwrapped ProfileParams profile, List<PortMapping> ports,
            String ide, String version, List<String> init) implements RunConfiguration {
        @JsonProperty("type")
        @Override
        public ConfigurationType type() {
            return ConfigurationType.DEV_ENVIRONMENT;
        }
    }

    /** {@code replicas} is a range object, or the list of replica groups (each with {@code count}). */
    @JsonPropertyOrder({"type"})
    record Service(@JsonUnwrapped RunBase base, @JsonUnwrapped ProfileParams profile, List<String> commands,
            PortMapping port, Object replicas, Object model, List<Map<String, Object>> probes) implements RunConfiguration {
        @JsonProperty("type")
        @Override
        public ConfigurationType type() {
            return ConfigurationType.SERVICE;
        }
    }

    /** A base with a Python version and a setup, everything else at dstack's defaults. */
    static RunBase base(String python, List<String> setup) {
        return new RunBase(null, null, null, false, null, null, null, null,
                python == null ? null : ai.dstack.api.configuration.PythonVersion.fromWireValue(python), null, null, null,
                null, null, null, null, null, null, null, false, setup);
    }
}
