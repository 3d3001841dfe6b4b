package ai.dstack.core.internal.runs;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the hosts a run may land on can do with a job's fields. Every host of this server runs jobs directly (no
 * container around them): the local host, SSH fleet hosts, and the VMs of the project's cloud backends alike. Cloud
 * backends add what they honour: the {@code backends}, {@code regions}, {@code instance_types} and
 * {@code spot_policy} filters of their offers, and resource {@code tags} on the VMs they make.
 *
 * @param hosts names the hosts for messages, e.g. {@code "the local host and SSH fleet hosts"}
 * @param containers whether jobs run in a container (mounts, users, privileges, base images are then possible)
 * @param cloudBackends the backend types of the project that can make instances (empty for none)
 */
public record HostCapabilities(String hosts, boolean containers, Set<String> cloudBackends) {
    public static final HostCapabilities BARE_HOSTS =
            new HostCapabilities("this server's hosts (the local host and SSH fleet hosts)", false, Set.of());

    public HostCapabilities {
        Objects.requireNonNull(hosts, "hosts is null");
        cloudBackends = Set.copyOf(new TreeSet<>(cloudBackends));
    }

    /** The bare hosts plus the VMs of a project's cloud backends of {@code types}; the bare hosts when none. */
    public static HostCapabilities withCloudBackends(Set<String> types) {
        if (types.isEmpty()) {
            return BARE_HOSTS;
        }
        return new HostCapabilities("this server's hosts (the local host, SSH fleet hosts and the VMs of backends "
                + String.join(", ", new TreeSet<>(types)) + ")", false, types);
    }

    public boolean hasCloud() {
        return !cloudBackends.isEmpty();
    }
}
