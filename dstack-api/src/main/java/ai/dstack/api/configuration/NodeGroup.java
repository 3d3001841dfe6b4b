package ai.dstack.api.configuration;

import ai.dstack.api.resources.ResourcesSpec;
import java.util.List;

/** One group of nodes of a heterogeneous multi-node task. */
public record NodeGroup(String name, int nodes, ResourcesSpec resources, List<String> commands, List<PortMapping> ports) {
    public NodeGroup {
        commands = List.copyOf(commands);
        ports = List.copyOf(ports);
    }
}
