package ai.dstack.api.instance;

import java.util.Objects;

/** An SSH endpoint, e.g. the proxy (jump host) in front of an instance. */
public record SshConnectionParams(String hostname, String username, int port) {
    public SshConnectionParams {
        Objects.requireNonNull(hostname, "hostname is null");
        Objects.requireNonNull(username, "username is null");
    }
}
