package ai.dstack.core.internal.services;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps service replicas on one host from colliding. Where the host allows it (Linux, root, {@code unshare -n}),
 * each replica runs in its own network namespace, so two replicas can listen on the same port, as in dstack's
 * containers. A small forwarder started inside the namespace listens on a Unix socket (sockets in the file system
 * cross namespaces) and connects to the replica's port there; the engine reaches the replica through a loopback
 * {@link ReplicaBridge} to that socket, so nothing needs a private-range address.
 *
 * <p>Where it does not, replicas share the host's network: the replica is reached on {@code 127.0.0.1:<port>}, and
 * a second replica on the same port must wait for another host.
 */
public final class ServiceNetwork implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceNetwork.class);
    private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY = java.nio.file.attribute.PosixFilePermissions
            .asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    private static volatile Boolean supported;

    private final Path dir;
    private final boolean isolated;
    private final Map<UUID, ReplicaBridge> bridges = new ConcurrentHashMap<>();

    private ServiceNetwork(Path dir, boolean isolated) {
        this.dir = dir;
        this.isolated = isolated;
    }

    /** Turns namespaces off ({@code -Ddstack.services.namespaces=off}), e.g. where the host's own ports must be used. */
    public static final String NAMESPACES_PROPERTY = "dstack.services.namespaces";

    /**
     * Namespaces when this host has them (and they are not turned off), shared networking otherwise; the forwarder
     * and its sockets in {@code dir} (made 0700: the engine trusts the sockets there and root runs the script), which
     * should stay the same across restarts so that a restarted engine finds the sockets of the replicas it adopts.
     */
    public static ServiceNetwork forThisHost(Path dir) {
        boolean off = "off".equalsIgnoreCase(System.getProperty(NAMESPACES_PROPERTY, "auto"));
        return new ServiceNetwork(privateDirectory(dir), !off && namespacesWork());
    }

    /** {@link #forThisHost(Path)} in a new private temporary directory (replicas are not adopted across restarts). */
    public static ServiceNetwork forThisHost() {
        try {
            return forThisHost(Files.createTempDirectory("dstack-services-"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for service sockets", e);
        }
    }

    /** {@code dir} owned by this process and readable by nobody else, or an error saying why it cannot be used. */
    static Path privateDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, OWNER_ONLY);
            }
            Object owner = Files.getAttribute(dir, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            Object self = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            if (!owner.equals(self)) {
                throw new IllegalStateException("the service socket directory " + dir + " belongs to user " + owner
                        + ", not to this process's user " + self + ": remove it or choose another server directory");
            }
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            return dir;
        } catch (IOException | UnsupportedOperationException e) {
            throw new IllegalStateException("cannot use " + dir + " for service sockets: " + e.getMessage(), e);
        }
    }

    public boolean isolated() {
        return isolated;
    }

    /** Whether {@code unshare -n} works here and {@code ip} can bring the new namespace's loopback up. */
    public static synchronized boolean namespacesWork() {
        if (supported == null) {
            supported = probe();
            LOG.info(supported ? "Service replicas get their own network namespaces (unshare -n)"
                    : "Network namespaces are not available here: service replicas share the host's ports");
        }
        return supported;
    }

    private static boolean probe() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return false;
        }
        try {
            Process process = new ProcessBuilder("unshare", "-n", "--", "ip", "link", "set", "lo", "up")
                    .redirectErrorStream(true).start();
            try (InputStream out = process.getInputStream()) {
                out.readAllBytes();
            }
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 && perlOnPath();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean perlOnPath() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "perl"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The script that runs {@code script} as a replica listening on {@code port}: unchanged with shared networking;
     * otherwise inside a new network namespace with its loopback up and the forwarder beside it.
     */
    public String wrap(UUID jobId, String shell, String script, int port) {
        if (!isolated) {
            return script;
        }
        StringBuilder line = new StringBuilder("exec");
        prefix(jobId, port).forEach(word -> line.append(' ').append(quote(word)));
        return line.append(' ').append(quote(shell)).append(" -c ").append(quote(script)).toString();
    }

    /**
     * The command that runs a replica listening on {@code port} (its arguments) in a new network namespace with its
     * loopback up and the forwarder beside it; empty with shared networking. The host runs it with its own
     * privileges (entering a namespace needs root), and it then executes the replica's command as the job's user.
     */
    public java.util.List<String> prefix(UUID jobId, int port) {
        if (!isolated) {
            return java.util.List.of();
        }
        Path forwarder = forwarderScript();
        String inner = "ip link set lo up || { echo 'dstack: cannot bring up the replica network' >&2; exit 1; }\n"
                + "perl " + quote(forwarder.toString()) + " " + quote(socket(jobId).toString()) + " " + port + " &\n"
                + "exec \"$@\"";
        return java.util.List.of("unshare", "-n", "--", "/bin/sh", "-c", inner, "dstack-replica");
    }

    /** Where the engine connects to reach the replica's port. */
    public InetSocketAddress upstream(UUID jobId, int port) {
        if (!isolated) {
            return new InetSocketAddress("127.0.0.1", port);
        }
        return bridges.computeIfAbsent(jobId, id -> new ReplicaBridge(socket(id))).address();
    }

    /** Whether the replica's port accepts connections now. */
    public boolean accepts(UUID jobId, int port) {
        if (!isolated) {
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket(jobId)));
            return ReplicaBridge.readPreamble(channel);
        } catch (IOException e) {
            return false;
        }
    }

    /** The replica ended: its bridge and socket go. */
    public void release(UUID jobId) {
        ReplicaBridge bridge = bridges.remove(jobId);
        if (bridge != null) {
            bridge.close();
        }
        try {
            Files.deleteIfExists(socket(jobId));
        } catch (IOException e) {
            LOG.debug("Cannot remove the socket of replica {}", jobId, e);
        }
    }

    Path socket(UUID jobId) {
        return dir.resolve(jobId + ".sock");
    }

    private synchronized Path forwarderScript() {
        Path script = dir.resolve("forwarder.pl");
        try {
            Files.createDirectories(dir);
            byte[] text = forwarderSource().getBytes(StandardCharsets.UTF_8);
            if (!Files.exists(script) || !java.util.Arrays.equals(Files.readAllBytes(script), text)) {
                Path temp = Files.createTempFile(dir, "forwarder", ".tmp");
                Files.write(temp, text);
                Files.move(temp, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the replica forwarder to " + script, e);
        }
    }

    private static String forwarderSource() {
        try (InputStream in = ServiceNetwork.class.getResourceAsStream("forwarder.pl")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the replica forwarder is missing from the engine's jar", e);
        }
    }

    static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    @Override
    public void close() {
        bridges.values().forEach(ReplicaBridge::close);
        bridges.clear();
    }
}
