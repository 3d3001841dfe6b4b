package ai.dstack.core.internal.runs;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the hosts a run may land on can do with a job's fields. The local host and SSH fleet hosts run jobs directly
 * (no container around them), or, where the engine's host has a container runtime, jobs with an {@code image} in
 * containers. Cloud backends add what they honour: the {@code backends}, {@code regions}, {@code instance_types} and
 * {@code spot_policy} filters of their offers, and resource {@code tags} on the VMs they make.
 *
 * @param hosts names the hosts for messages, e.g. {@code "the local host and SSH fleet hosts"}
 * @param containers whether jobs run in a container (mounts, users, privileges, base images are then possible)
 * @param cloudBackends the backend types of the project that can make instances (empty for none)
 * @param volumes the project's network volumes by name (what a run's {@code volumes} may name)
 */
public record HostCapabilities(String hosts, boolean containers, Set<String> cloudBackends,
        java.util.Map<String, RunVolumes.ProjectVolume> volumes) {
    public static final HostCapabilities BARE_HOSTS =
            new HostCapabilities("this server's hosts (the local host and SSH fleet hosts)", false, Set.of());

    public HostCapabilities {
        Objects.requireNonNull(hosts, "hosts is null");
        cloudBackends = Set.copyOf(new TreeSet<>(cloudBackends));
        volumes = volumes == null ? java.util.Map.of() : java.util.Map.copyOf(volumes);
    }

    public HostCapabilities(String hosts, boolean containers, Set<String> cloudBackends) {
        this(hosts, containers, cloudBackends, java.util.Map.of());
    }

    /** These hosts with the project's network volumes. */
    public HostCapabilities withVolumes(java.util.Map<String, RunVolumes.ProjectVolume> projectVolumes) {
        return new HostCapabilities(hosts, containers, cloudBackends, projectVolumes);
    }

    /**
     * What the engine's host can do: with a container runtime, jobs with an image run in containers there (SSH
     * fleet hosts run them with their own Docker).
     */
    public static HostCapabilities of(ai.dstack.spi.host.HostExecutor host) {
        return host.containerRuntime()
                .map(runtime -> new HostCapabilities("this server's hosts (the local host runs jobs with an `image` in "
                        + runtime + " containers)", true, Set.of()))
                .orElse(BARE_HOSTS);
    }

    /**
     * These hosts plus SSH fleet hosts whose probe found a container runtime ({@code hostNames}): jobs with an
     * {@code image} run in containers there.
     */
    public HostCapabilities withContainerHosts(java.util.Collection<String> hostNames) {
        if (hostNames.isEmpty()) {
            return this;
        }
        String sshHosts = "SSH fleet hosts " + String.join(", ", new TreeSet<>(hostNames))
                + " run jobs with an `image` in their Docker or Podman";
        String described = containers ? hosts.substring(0, hosts.length() - 1) + "; " + sshHosts + ")"
                : "this server's hosts (" + sshHosts + "; the others run jobs directly)";
        return new HostCapabilities(described, true, cloudBackends, volumes);
    }

    /** These hosts plus the VMs of a project's cloud backends of {@code types}; these hosts alone when none. */
    public HostCapabilities withCloudBackends(Set<String> types) {
        if (types.isEmpty()) {
            return this;
        }
        String backends = "the VMs of backends " + String.join(", ", new TreeSet<>(types));
        String described = containers ? hosts.substring(0, hosts.length() - 1) + "; " + backends + ")"
                : "this server's hosts (the local host, SSH fleet hosts and " + backends + ")";
        return new HostCapabilities(described, containers, types, volumes);
    }

    public boolean hasCloud() {
        return !cloudBackends.isEmpty();
    }
}
