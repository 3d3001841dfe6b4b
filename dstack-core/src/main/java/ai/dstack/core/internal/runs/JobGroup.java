package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.PortMapping;
import ai.dstack.api.configuration.PythonVersion;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.resources.ResourcesSpec;
import java.util.List;
import java.util.Objects;

/**
 * The part of a configuration that a set of jobs runs: a task's node group, a service's replica group, or the
 * whole dev environment. The override fields are a service replica group's own settings; null means "as the
 * configuration says".
 *
 * @param name the node group or replica group name ({@code "0"} without groups)
 * @param index the node group's position (0 for the others)
 * @param nodes how many jobs of a replica this group makes
 * @param shellCommands the user's commands, before dstack's own
 */
record JobGroup(
        String name,
        int index,
        int nodes,
        List<String> shellCommands,
        List<PortMapping> ports,
        ResourcesSpec resources,
        String image,
        Boolean docker,
        Boolean nvcc,
        Boolean privileged,
        PythonVersion python,
        SpotPolicy spotPolicy,
        String reservation) {
    JobGroup {
        Objects.requireNonNull(name, "name is null");
        shellCommands = List.copyOf(shellCommands);
        ports = List.copyOf(ports);
        Objects.requireNonNull(resources, "resources is null");
    }

    /** A group without overrides. */
    static JobGroup plain(String name, int index, int nodes, List<String> commands, List<PortMapping> ports,
            ResourcesSpec resources) {
        return new JobGroup(name, index, nodes, commands, ports, resources, null, null, null, null, null, null, null);
    }
}
