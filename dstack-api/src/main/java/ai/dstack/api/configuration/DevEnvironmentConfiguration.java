package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Objects;

/**
 * A {@code type: dev-environment} configuration: a container to work in over SSH or an IDE.
 * {@code inactivityDuration} is seconds; null means never stop for inactivity.
 */
@JsonPropertyOrder({"type"})
public record DevEnvironmentConfiguration(
        @JsonUnwrapped RunBase base,
        @JsonUnwrapped ProfileParams profile,
        List<PortMapping> ports,
        Ide ide,
        String version,
        List<String> init,
        Long inactivityDuration)
        implements RunConfiguration {
    public DevEnvironmentConfiguration {
        Objects.requireNonNull(base, "base is null");
        profile = profile == null ? ProfileParams.NONE : profile;
        ports = ports == null ? List.of() : List.copyOf(ports);
        init = init == null ? List.of() : List.copyOf(init);
    }

    /** A dev environment with {@code ide} and every other field at dstack's defaults. */
    public static DevEnvironmentConfiguration of(String name, Ide ide) {
        return new DevEnvironmentConfiguration(RunBase.named(name), ProfileParams.NONE, null, ide, null, null, null);
    }

    @JsonProperty("type")
    @Override
    public ConfigurationType type() {
        return ConfigurationType.DEV_ENVIRONMENT;
    }

    @Override
    public String name() {
        return base.name();
    }
}
