package ai.dstack.core.internal.runs;

import java.util.Objects;

/**
 * What the hosts a run may land on can do with a job's fields. Today every host of this server runs jobs directly
 * (no container around them): the local host and SSH fleet hosts alike.
 *
 * @param hosts names the hosts for messages, e.g. {@code "the local host and SSH fleet hosts"}
 * @param containers whether jobs run in a container (mounts, users, privileges, base images are then possible)
 */
public record HostCapabilities(String hosts, boolean containers) {
    public static final HostCapabilities BARE_HOSTS =
            new HostCapabilities("this server's hosts (the local host and SSH fleet hosts)", false);

    public HostCapabilities {
        Objects.requireNonNull(hosts, "hosts is null");
    }
}
