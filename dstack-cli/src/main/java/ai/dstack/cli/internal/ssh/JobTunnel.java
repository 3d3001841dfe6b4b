package ai.dstack.cli.internal.ssh;

import ai.dstack.cli.internal.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * One SSH connection to a job through the server's SSH endpoint, holding local port forwards to the job's ports
 * while the user stays attached (like {@code ssh -L} in dstack's CLI). The open connection also counts as being
 * attached to a dev environment.
 */
public final class JobTunnel implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    static {
        // The SSH library's own warnings (refused channels, unknown host keys) are not for the CLI's user.
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.sshd") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "error");
        }
    }

    private final SshClient client;
    private final ClientSession session;
    private final Map<Integer, Integer> forwarded;

    private JobTunnel(SshClient client, ClientSession session, Map<Integer, Integer> forwarded) {
        this.client = client;
        this.session = session;
        this.forwarded = forwarded;
    }

    /**
     * Connects as {@code user} with the key in {@code identity} and forwards {@code bindHost:<local>} to each remote
     * port (local 0: any free port). The endpoint's host key is checked against {@code knownHosts} as OpenSSH's
     * {@code StrictHostKeyChecking accept-new} does: a first key is recorded there, a changed one is refused.
     *
     * @param ports remote port to local port, in the order to show them
     */
    public static JobTunnel open(String host, int port, String user, Path identity, Path knownHosts, String bindHost,
            Map<Integer, Integer> ports) {
        KeyPair key = readKey(identity);
        SshClient client = SshClient.setUpDefaultClient();
        AtomicReference<String> changedKey = new AtomicReference<>();
        KnownHostsServerKeyVerifier verifier = new KnownHostsServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE,
                knownHosts);
        verifier.setModifiedServerKeyAcceptor((session, address, entry, expected, actual) -> {
            changedKey.set(KeyUtils.getFingerPrint(actual));
            return false;
        });
        client.setServerKeyVerifier(verifier);
        // Forwarded ports carry requests and replies of a few bytes: without it each waits for a delayed ACK.
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.start();
        ClientSession session = null;
        try {
            session = client.connect(user, host, port).verify(CONNECT_TIMEOUT).getSession();
            session.addPublicKeyIdentity(key);
            session.auth().verify(CONNECT_TIMEOUT);
            Map<Integer, Integer> forwarded = new LinkedHashMap<>();
            for (Map.Entry<Integer, Integer> entry : ports.entrySet()) {
                forwarded.put(entry.getKey(), forward(session, bindHost, entry.getValue(), entry.getKey()));
            }
            return new JobTunnel(client, session, forwarded);
        } catch (IOException | RuntimeException e) {
            if (session != null) {
                session.close(true);
            }
            client.stop();
            if (e instanceof CliException cli) {
                throw cli;
            }
            if (changedKey.get() != null) {
                throw CliException.failure("the SSH endpoint " + host + ":" + port + " presented a host key ("
                        + changedKey.get() + ") other than the one recorded for it in " + knownHosts + "; if the server"
                        + " was reinstalled, remove its line from that file, otherwise someone may be impersonating it");
            }
            throw CliException.failure("cannot connect to the run over SSH at " + host + ":" + port + ": " + e.getMessage());
        }
    }

    private static int forward(ClientSession session, String bindHost, int local, int remote) throws IOException {
        try {
            return session.startLocalPortForwarding(new SshdSocketAddress(bindHost, local),
                    new SshdSocketAddress("localhost", remote)).getPort();
        } catch (IOException e) {
            if (!(e instanceof BindException) && !(e.getCause() instanceof BindException)) {
                throw e;
            }
            throw CliException.failure("Failed to attach: port " + local + " is already in use. Use -p in `dstack attach`"
                    + " to override the local port mapping, e.g. -p " + (local + 1) + ":" + remote + ".");
        }
    }

    private static KeyPair readKey(Path identity) {
        try (InputStream in = Files.newInputStream(identity)) {
            Iterator<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(identity.toString()), in,
                    null).iterator();
            if (!keys.hasNext()) {
                throw CliException.failure("no private key in " + identity);
            }
            return keys.next();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw CliException.failure("cannot read the SSH key " + identity + ": " + e.getMessage());
        }
    }

    /** Remote port to the local port it is reached at, in the order asked. */
    public Map<Integer, Integer> forwarded() {
        return forwarded;
    }

    /** Whether the connection is still up. */
    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() {
        session.close(true);
        client.stop();
    }
}
