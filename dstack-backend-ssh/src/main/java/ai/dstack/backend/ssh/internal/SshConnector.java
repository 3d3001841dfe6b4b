package ai.dstack.backend.ssh.internal;

import ai.dstack.spi.host.RemoteHost;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.host.RemoteHostConnector;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.AbstractClientSession;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * One MINA SSH client for the engine, and one pooled connection per host address. Host keys are checked against
 * {@code known_hosts} in the connector's directory, trusting a host's first key ({@link KnownHosts}).
 */
public final class SshConnector implements RemoteHostConnector {
    private final SshClient client;
    private final KnownHosts knownHosts;
    private final SshSettings settings;
    private final Map<String, SshRemoteHost> hosts = new ConcurrentHashMap<>();

    public SshConnector(Path knownHostsFile, SshSettings settings) {
        this.settings = settings;
        this.knownHosts = new KnownHosts(knownHostsFile);
        this.client = SshClient.setUpDefaultClient();
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, settings.keepAlive());
        // Every call is a short exchange of small packets (open, exec, EOF, exit status, close): with Nagle's algorithm
        // each small write after another waits for the peer's delayed ACK, up to 40 ms on Linux, several times a call.
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.setServerKeyVerifier((session, remoteAddress, serverKey) -> {
            String name = session instanceof AbstractClientSession clientSession
                    && clientSession.getConnectionContext() != null
                    ? clientSession.getConnectionContext().getAttribute(SshConnection.KNOWN_HOSTS_NAME) : null;
            return knownHosts.verify(name != null ? name : String.valueOf(remoteAddress), serverKey);
        });
        client.start();
    }

    public Path knownHostsFile() {
        return knownHosts.file();
    }

    @Override
    public RemoteHost host(RemoteHostAddress address) {
        return hosts.computeIfAbsent(key(address),
                k -> new SshRemoteHost(new SshConnection(client, knownHosts, address, settings), settings));
    }

    @Override
    public void release(RemoteHostAddress address) {
        SshRemoteHost host = hosts.remove(key(address));
        if (host != null) {
            host.close();
        }
    }

    /** The key is part of the identity: a fleet updated with another key gets a new connection. */
    private static String key(RemoteHostAddress address) {
        return address.display() + "#" + Integer.toHexString(address.privateKey().hashCode())
                + (address.proxyJump() == null ? "" : "#" + Integer.toHexString(address.proxyJump().privateKey().hashCode()));
    }

    @Override
    public void close() {
        hosts.values().forEach(SshRemoteHost::close);
        hosts.clear();
        client.stop();
    }
}
