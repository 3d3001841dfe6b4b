package ai.dstack.core.internal.runs;

import java.util.Objects;

/**
 * What the hosts a run may land on can do with a job's fields: run jobs directly (no container around them), or, where
 * the engine's host has a container runtime, run jobs with an {@code image} in containers.
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

    /**
     * What the engine's host can do: with a container runtime, jobs with an image run in containers there (SSH
     * fleet hosts run them with their own Docker).
     */
    public static HostCapabilities of(ai.dstack.spi.host.HostExecutor host) {
        return host.containerRuntime()
                .map(runtime -> new HostCapabilities("this server's hosts (the local host runs jobs with an `image` in "
                        + runtime + " containers)", true))
                .orElse(BARE_HOSTS);
    }
}
