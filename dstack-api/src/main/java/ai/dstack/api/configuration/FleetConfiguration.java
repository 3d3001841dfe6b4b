package ai.dstack.api.configuration;

import ai.dstack.api.resources.ResourcesSpec;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * A {@code type: fleet} configuration. One record serves both kinds, as in dstack: a cloud fleet sets
 * {@code nodes} (and {@code resources}, {@code backends}, ...), an SSH fleet sets {@code sshConfig} (and {@code env}).
 * {@code idleDuration} is seconds, -1 meaning off.
 */
@JsonPropertyOrder({"type"})
public record FleetConfiguration(
        String name,
        FleetPlacement placement,
        Blocks blocks,
        FleetNodes nodes,
        String reservation,
        ResourcesSpec resources,
        List<BackendType> backends,
        List<String> regions,
        List<String> availabilityZones,
        List<String> instanceTypes,
        SpotPolicy spotPolicy,
        RetrySpec retry,
        Double maxPrice,
        Long idleDuration,
        Map<String, String> tags,
        List<Map<String, Object>> backendOptions,
        SshParams sshConfig,
        Env env)
        implements Configuration {
    public FleetConfiguration {
        blocks = blocks == null ? Blocks.ONE : blocks;
        env = env == null ? Env.EMPTY : env;
        backends = backends == null ? null : List.copyOf(backends);
        regions = regions == null ? null : List.copyOf(regions);
        availabilityZones = availabilityZones == null ? null : List.copyOf(availabilityZones);
        instanceTypes = instanceTypes == null ? null : List.copyOf(instanceTypes);
        backendOptions = backendOptions == null ? null : List.copyOf(backendOptions);
    }

    /** A cloud fleet of {@code nodes} instances with every other field at dstack's defaults. */
    public static FleetConfiguration cloud(String name, FleetNodes nodes, ResourcesSpec resources) {
        return new FleetConfiguration(name, null, null, nodes, null, resources, null, null, null, null, null, null, null,
                null, null, null, null, null);
    }

    /** An SSH fleet over existing hosts with every other field at dstack's defaults. */
    public static FleetConfiguration ssh(String name, SshParams sshConfig) {
        return new FleetConfiguration(name, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, sshConfig, null);
    }

    @JsonProperty("type")
    @Override
    public ConfigurationType type() {
        return ConfigurationType.FLEET;
    }
}
