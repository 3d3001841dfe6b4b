package ai.dstack.api.configuration;

import ai.dstack.api.resources.Range;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Objects;

/**
 * A {@code type: service} configuration: replicas behind an endpoint on {@code port}. Either {@code replicas}
 * (one homogeneous group, null meaning 1) or {@code groups} is set, never both.
 */
@JsonPropertyOrder({"type"})
public record ServiceConfiguration(
        @JsonUnwrapped RunBase base,
        @JsonUnwrapped ProfileParams profile,
        List<String> commands,
        PortMapping port,
        ServiceGateway gateway,
        boolean stripPrefix,
        ServiceModel model,
        ServiceHttps https,
        boolean auth,
        ScalingSpec scaling,
        List<RateLimit> rateLimits,
        List<ProbeConfig> probes,
        @JsonIgnore Range<Integer> replicas,
        @JsonIgnore List<ReplicaGroup> groups)
        implements RunConfiguration {
    /** The port the proxy listens on for services that give only the container port. */
    public static final int DEFAULT_LOCAL_PORT = 80;
    /** The name of the single replica group of a service without {@code groups}. */
    public static final String DEFAULT_GROUP_NAME = "0";

    public ServiceConfiguration {
        Objects.requireNonNull(base, "base is null");
        Objects.requireNonNull(port, "port is null");
        profile = profile == null ? ProfileParams.NONE : profile;
        commands = commands == null ? List.of() : List.copyOf(commands);
        rateLimits = rateLimits == null ? List.of() : List.copyOf(rateLimits);
        probes = probes == null ? null : List.copyOf(probes);
        groups = groups == null ? null : List.copyOf(groups);
        if (replicas != null && groups != null) {
            throw new IllegalArgumentException("`replicas` and `groups` are mutually exclusive");
        }
    }

    /** A service running {@code commands} that listens on {@code containerPort}, every other field at dstack's defaults. */
    public static ServiceConfiguration of(String name, List<String> commands, int containerPort) {
        return new ServiceConfiguration(RunBase.named(name), ProfileParams.NONE, commands,
                new PortMapping(DEFAULT_LOCAL_PORT, containerPort), null, true, null, null, true, null, null, null,
                null, null);
    }

    @JsonProperty("type")
    @Override
    public ConfigurationType type() {
        return ConfigurationType.SERVICE;
    }

    @Override
    public String name() {
        return base.name();
    }

    /** The replica groups to run: {@code groups}, or one group {@code "0"} made of the top-level fields. */
    public List<ReplicaGroup> replicaGroups() {
        if (groups != null) {
            return groups;
        }
        Range<Integer> count = replicas != null ? replicas : Range.exactly(1);
        return List.of(new ReplicaGroup(DEFAULT_GROUP_NAME, count, scaling, base.resources(), null, null, commands,
                null, null, null, null, null, null));
    }

    /** dstack's wire form: {@code replicas} holds the range, or the groups when there are groups. */
    @JsonProperty("replicas")
    Object wireReplicas() {
        return groups != null ? groups : replicas;
    }
}
