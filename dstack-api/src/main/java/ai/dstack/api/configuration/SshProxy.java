package ai.dstack.api.configuration;

import java.util.Objects;

/** A jump host to reach SSH fleet hosts through ({@code proxy_jump}). */
public record SshProxy(String hostname, Integer port, String user, String identityFile, SshKey sshKey) {
    public SshProxy {
        Objects.requireNonNull(hostname, "hostname is null");
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(identityFile, "identityFile is null");
    }
}
