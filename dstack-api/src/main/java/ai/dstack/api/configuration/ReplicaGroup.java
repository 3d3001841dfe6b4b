package ai.dstack.api.configuration;

import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * One group of replicas of a heterogeneous service. The nullable fields left null inherit the service's.
 * On the wire {@code replicas} is written {@code count}, as dstack does.
 */
public record ReplicaGroup(
        String name,
        @JsonProperty("count") Range<Integer> replicas,
        ScalingSpec scaling,
        ResourcesSpec resources,
        SpotPolicy spotPolicy,
        String reservation,
        List<String> commands,
        String image,
        PythonVersion python,
        Boolean nvcc,
        Boolean docker,
        Boolean privileged,
        ReplicaGroupRouter router) {
    public ReplicaGroup {
        Objects.requireNonNull(replicas, "replicas is null");
        resources = resources == null ? ResourcesSpec.DEFAULT : resources;
        commands = commands == null ? List.of() : List.copyOf(commands);
    }
}
