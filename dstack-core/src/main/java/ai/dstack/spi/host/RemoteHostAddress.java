package ai.dstack.spi.host;

import java.util.Objects;

/**
 * How to reach one remote host: where it listens, who to log in as, with which key, and through which jump host.
 *
 * @param hostname a name or address the engine can resolve
 * @param port the SSH port
 * @param user the login user
 * @param privateKey the private key's text (OpenSSH or PEM format)
 * @param keySource where the key came from, for messages (an identity file's path); never the key itself
 * @param proxyJump the jump host to connect through, or null for a direct connection
 */
public record RemoteHostAddress(
        String hostname, int port, String user, String privateKey, String keySource, RemoteHostAddress proxyJump) {
    public RemoteHostAddress {
        Objects.requireNonNull(hostname, "hostname is null");
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(privateKey, "privateKey is null");
        Objects.requireNonNull(keySource, "keySource is null");
        if (hostname.isBlank()) {
            throw new IllegalArgumentException("hostname is blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 1..65535");
        }
    }

    /** {@code user@host:port}, and the jump host after {@code via}: what messages name. */
    public String display() {
        String self = user + "@" + hostname + ":" + port;
        return proxyJump == null ? self : self + " via " + proxyJump.display();
    }

    /** The key is left out, so an address can be logged. */
    @Override
    public String toString() {
        return display();
    }
}
