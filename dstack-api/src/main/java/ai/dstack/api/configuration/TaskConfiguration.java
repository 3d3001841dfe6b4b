package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Objects;

/** A {@code type: task} configuration: commands run to completion, on one or several nodes. */
@JsonPropertyOrder({"type"})
public record TaskConfiguration(
        @JsonUnwrapped RunBase base,
        @JsonUnwrapped ProfileParams profile,
        List<String> commands,
        List<PortMapping> ports,
        Integer nodes,
        List<NodeGroup> groups)
        implements RunConfiguration {
    public TaskConfiguration {
        Objects.requireNonNull(base, "base is null");
        profile = profile == null ? ProfileParams.NONE : profile;
        commands = commands == null ? List.of() : List.copyOf(commands);
        ports = ports == null ? List.of() : List.copyOf(ports);
        groups = groups == null ? null : List.copyOf(groups);
    }

    /** A task that runs {@code commands} with every other field at dstack's defaults. */
    public static TaskConfiguration of(String name, List<String> commands) {
        return new TaskConfiguration(RunBase.named(name), ProfileParams.NONE, commands, null, null, null);
    }

    @JsonProperty("type")
    @Override
    public ConfigurationType type() {
        return ConfigurationType.TASK;
    }

    @Override
    public String name() {
        return base.name();
    }
}
