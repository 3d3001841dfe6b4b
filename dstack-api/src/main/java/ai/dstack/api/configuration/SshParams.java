package ai.dstack.api.configuration;

import java.util.List;
import java.util.Objects;

/**
 * {@code ssh_config}: the hosts of an SSH fleet and the connection settings they share. {@code network}
 * ({@code <ip>/<mask>}, private) picks the addresses hosts use to talk to each other.
 */
public record SshParams(
        String user,
        Integer port,
        String identityFile,
        SshKey sshKey,
        SshProxy proxyJump,
        List<SshHost> hosts,
        String network) {
    public SshParams {
        hosts = List.copyOf(Objects.requireNonNull(hosts, "hosts is null"));
    }
}
