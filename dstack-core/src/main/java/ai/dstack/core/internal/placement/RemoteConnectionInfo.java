package ai.dstack.core.internal.placement;

import ai.dstack.spi.host.RemoteHostAddress;

/**
 * How to reach an SSH fleet's host, kept in the instance's {@code remote_connection_info} (the key included, as dstack
 * keeps it, so a restarted engine reconnects).
 */
public record RemoteConnectionInfo(String host, int port, String sshUser, String privateKey, String keySource,
        RemoteConnectionInfo sshProxy) {

    public static RemoteConnectionInfo of(RemoteHostAddress address) {
        return new RemoteConnectionInfo(address.hostname(), address.port(), address.user(), address.privateKey(),
                address.keySource(), address.proxyJump() == null ? null : of(address.proxyJump()));
    }

    public RemoteHostAddress address() {
        return new RemoteHostAddress(host, port, sshUser, privateKey, keySource,
                sshProxy == null ? null : sshProxy.address());
    }
}
