package ai.dstack.backend.ssh.internal;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.RemoteHostAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one SSH connection to a host that all its jobs and checks share. It is opened on first use and opened again
 * after a drop: a call made while the host is unreachable waits, reconnecting with backoff, and fails only when the
 * host has been unreachable for the whole grace period. A host behind a jump host is reached through a port
 * forwarded over the jump host's own pooled connection.
 */
final class SshConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshConnection.class);
    /** OpenSSH allows 10 channels per connection (MaxSessions); stay below it. */
    private static final int MAX_CHANNELS = 8;
    static final AttributeRepository.AttributeKey<String> KNOWN_HOSTS_NAME = new AttributeRepository.AttributeKey<>();

    private final SshClient client;
    private final KnownHosts knownHosts;
    private final RemoteHostAddress address;
    private final SshSettings settings;
    private final SshConnection jump;
    private final Semaphore channels = new Semaphore(MAX_CHANNELS);
    private final Object lock = new Object();
    private ClientSession session;
    private ExplicitPortForwardingTracker forward;
    /** Tunnels to ports on the host's loopback (jobs' services), by port; each lives with the session it was made on. */
    private final java.util.Map<Integer, Tunnel> tunnels = new java.util.concurrent.ConcurrentHashMap<>();

    private record Tunnel(ClientSession session, ExplicitPortForwardingTracker tracker) {}
    private KeyPair key;
    /** When the host stopped answering (0 while it answers), and why. */
    private volatile long unreachableSinceNanos;
    private volatile String lastProblem;
    private volatile boolean closed;

    SshConnection(SshClient client, KnownHosts knownHosts, RemoteHostAddress address, SshSettings settings) {
        this.client = client;
        this.knownHosts = knownHosts;
        this.address = address;
        this.settings = settings;
        this.jump = address.proxyJump() == null ? null
                : new SshConnection(client, knownHosts, address.proxyJump(), settings);
    }

    RemoteHostAddress address() {
        return address;
    }

    /** Why the host has been unreachable for longer than the grace period, if it has. */
    Optional<String> unreachableReason() {
        long since = unreachableSinceNanos;
        if (since == 0 || System.nanoTime() - since < settings.grace().toNanos()) {
            return Optional.empty();
        }
        return Optional.ofNullable(lastProblem);
    }

    /**
     * Runs a command that is safe to repeat: a connection that drops before its answer is reopened and the command
     * run again, until the grace period ends.
     */
    CommandResult run(String command, String stdin, Duration timeout) {
        long backoff = 200;
        while (true) {
            try {
                return runOnce(command, stdin, timeout);
            } catch (ConnectionLost e) {
                if (closed || unreachableReason().isPresent()) {
                    throw unreachable();
                }
                pause(backoff);
                backoff = Math.min(backoff * 2, settings.maxBackoff().toMillis());
            }
        }
    }

    /** Opens the connection now, once, and reports in words why it cannot be opened. */
    void connectOnce() {
        try {
            session();
        } catch (ConnectionLost e) {
            throw new HostExecutionException(ErrorCode.ERROR, e.getMessage());
        }
    }

    /**
     * Runs a command once; a dropped connection is {@link ConnectionLost} (the caller decides whether to repeat).
     */
    CommandResult runOnce(String command, String stdin, Duration timeout) throws ConnectionLost {
        ClientSession current = session();
        acquireChannel();
        try (ChannelExec channel = current.createExecChannel(command)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            channel.setIn(new ByteArrayInputStream(stdin == null ? new byte[0] : stdin.getBytes(StandardCharsets.UTF_8)));
            channel.setOut(out);
            channel.setErr(err);
            channel.open().verify(settings.connectTimeout());
            Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), timeout);
            if (events.contains(ClientChannelEvent.TIMEOUT)) {
                throw new HostExecutionException(ErrorCode.ERROR, "the command on " + address.display()
                        + " did not finish within " + timeout.toSeconds() + " s");
            }
            Integer exit = channel.getExitStatus();
            if (exit == null) {
                if (!current.isOpen()) {
                    throw dropped(current, "the connection closed during a command");
                }
                exit = channel.getExitSignal() != null ? 128 + 9 : -1;
            }
            return new CommandResult(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } catch (IOException | IllegalStateException e) {
            // MINA refuses new channels on a session that is closing: the connection is going, as with an I/O error.
            throw dropped(current, "the connection failed: " + e.getMessage());
        } finally {
            channels.release();
        }
    }

    private void acquireChannel() {
        try {
            if (!channels.tryAcquire(settings.grace().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new HostExecutionException(ErrorCode.ERROR, "too many commands wait for " + address.display());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostExecutionException(ErrorCode.ERROR, "interrupted while waiting for " + address.display());
        }
    }

    private ConnectionLost dropped(ClientSession failed, String why) {
        synchronized (lock) {
            if (session == failed) {
                closeSession();
            }
        }
        return noteProblem(why + " (" + address.display() + ")");
    }

    /**
     * A local address forwarded over this connection to {@code port} on the host's loopback, made once per port and
     * made again when the session was replaced (a dropped connection takes its tunnels with it).
     */
    java.net.InetSocketAddress forwardToLoopback(int port) {
        try {
            ClientSession current = session();
            synchronized (tunnels) {
                Tunnel known = tunnels.get(port);
                if (known != null && known.session() == current && known.tracker().isOpen()) {
                    return known.tracker().getBoundAddress().toInetSocketAddress();
                }
                ExplicitPortForwardingTracker tracker = current.createLocalPortForwardingTracker(
                        new SshdSocketAddress("127.0.0.1", 0), new SshdSocketAddress("127.0.0.1", port));
                tunnels.put(port, new Tunnel(current, tracker));
                return tracker.getBoundAddress().toInetSocketAddress();
            }
        } catch (ConnectionLost e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot reach port " + port + " on " + address.display()
                    + ": " + e.getMessage());
        } catch (IOException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot forward a local port to port " + port + " on "
                    + address.display() + ": " + e.getMessage());
        }
    }

    /**
     * Opens {@code command} as a long-lived exec channel whose streams the caller reads and writes (a shell into a
     * job), with a terminal of {@code columns} x {@code rows} when {@code term} is not null. Not counted among the
     * pooled commands: it lives as long as the user's session.
     */
    ChannelExec openInteractive(String command, String term, int columns, int rows) {
        try {
            ClientSession current = session();
            ChannelExec channel = current.createExecChannel(command);
            if (term != null) {
                channel.setUsePty(true);
                channel.setPtyType(term);
                if (columns > 0 && rows > 0) {
                    channel.setPtyColumns(columns);
                    channel.setPtyLines(rows);
                }
            }
            channel.open().verify(settings.connectTimeout());
            return channel;
        } catch (ConnectionLost e) {
            throw new HostExecutionException(ErrorCode.ERROR, e.getMessage());
        } catch (IOException | IllegalStateException e) {
            throw new HostExecutionException(ErrorCode.ERROR, "cannot open a shell on " + address.display() + ": "
                    + e.getMessage());
        }
    }

    /** The open session, opened now if there is none. */
    ClientSession session() throws ConnectionLost {
        if (closed) {
            throw new ConnectionLost("the connection to " + address.display() + " is closed");
        }
        synchronized (lock) {
            if (session != null && session.isOpen() && !session.isClosing() && session.isAuthenticated()) {
                return session;
            }
            closeSession();
            try {
                session = open();
                unreachableSinceNanos = 0;
                lastProblem = null;
                return session;
            } catch (ConnectionLost e) {
                closeSession();
                throw noteProblem(e.getMessage());
            }
        }
    }

    private ConnectionLost noteProblem(String problem) {
        lastProblem = problem;
        if (unreachableSinceNanos == 0) {
            unreachableSinceNanos = System.nanoTime();
        }
        return new ConnectionLost(problem);
    }

    private ClientSession open() throws ConnectionLost {
        if (key == null) {
            key = SshKeys.read(address.privateKey(), address.keySource());
        }
        String host = address.hostname();
        int port = address.port();
        if (jump != null) {
            ClientSession jumpSession = jump.session();
            try {
                forward = jumpSession.createLocalPortForwardingTracker(new SshdSocketAddress("127.0.0.1", 0),
                        new SshdSocketAddress(address.hostname(), address.port()));
            } catch (IOException e) {
                throw new ConnectionLost("cannot forward a port through the jump host " + jump.address().display()
                        + " to " + address.hostname() + ":" + address.port() + ": " + e.getMessage());
            }
            host = "127.0.0.1";
            port = forward.getBoundAddress().getPort();
        }
        String name = KnownHosts.entryName(address.hostname(), address.port());
        ClientSession opened = null;
        try {
            opened = client.connect(address.user(), host, port,
                    AttributeRepository.ofKeyValuePair(KNOWN_HOSTS_NAME, name), null)
                    .verify(settings.connectTimeout()).getSession();
            opened.addPublicKeyIdentity(key);
            opened.auth().verify(settings.connectTimeout());
            return opened;
        } catch (IOException | RuntimeException e) {
            if (opened != null) {
                opened.close(true);
            }
            throw new ConnectionLost(describe(e, name));
        }
    }

    /** The failure in the words a user needs: which host, and cannot connect / auth failed / key changed. */
    private String describe(Exception e, String knownHostsName) {
        String where = address.display();
        Optional<String> refusal = knownHosts.refusal(knownHostsName);
        if (refusal.isPresent()) {
            return "Cannot connect to " + where + ": " + refusal.get();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException) {
                return "Cannot connect to " + where + ": unknown host " + address.hostname();
            }
            if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
                return "Cannot connect to " + where + ": " + t.getMessage();
            }
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("No more authentication methods") || message.contains("authentication")
                && e instanceof SshException && !message.contains("timeout")) {
            return "Authentication failed on " + where + ": the host refused the key " + address.keySource()
                    + " for user " + address.user();
        }
        if (message.toLowerCase().contains("timeout") || message.toLowerCase().contains("timed out")) {
            return "Cannot connect to " + where + ": no answer within " + settings.connectTimeout().toSeconds() + " s";
        }
        return "Cannot connect to " + where + ": " + message;
    }

    private void closeSession() {
        if (session != null) {
            session.close(true);
            session = null;
        }
        if (forward != null) {
            try {
                forward.close();
            } catch (IOException e) {
                LOG.debug("Closing the forwarded port for {} failed", address, e);
            }
            forward = null;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostExecutionException(ErrorCode.ERROR, "interrupted while reconnecting");
        }
    }

    private HostExecutionException unreachable() {
        return new HostExecutionException(ErrorCode.ERROR, lastProblem == null
                ? address.display() + " is unreachable" : lastProblem);
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            closeSession();
        }
        if (jump != null) {
            jump.close();
        }
    }

    /** The connection could not be opened or dropped; the message says why in words. */
    static final class ConnectionLost extends Exception {
        private static final long serialVersionUID = 1L;

        ConnectionLost(String message) {
            super(message, null, false, false);
        }
    }
}
