package ai.dstack.backend.ssh.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * A real SSH server on loopback for tests: MINA's server with key authentication against an authorized_keys file,
 * port forwarding (so it can be a jump host), and exec requests run as {@code bash -c <command>} with {@code HOME}
 * set to the server's own directory and {@code ~/bin} first on {@code PATH}. Its host key is kept in a file, so a server restarted on the same port shows
 * the same key.
 */
public final class TestSshServer implements AutoCloseable {
    private final Path dir;
    private final Path home;
    private final Path authorizedKeys;
    private final java.util.concurrent.atomic.AtomicInteger sessions = new java.util.concurrent.atomic.AtomicInteger();
    /** Variables set for every command, as a host's login environment would (e.g. podman's configuration). */
    private final java.util.Map<String, String> environment = new java.util.concurrent.ConcurrentHashMap<>();
    private SshServer server;
    private String host = "127.0.0.1";
    private int port;

    private TestSshServer(Path dir) {
        this.dir = dir;
        this.home = dir.resolve("home");
        this.authorizedKeys = dir.resolve("authorized_keys");
    }

    /** A server on a free loopback port accepting the given public keys (files ending in .pub). */
    public static TestSshServer start(Path dir, Path... publicKeys) throws IOException {
        TestSshServer test = new TestSshServer(dir);
        Files.createDirectories(test.home);
        StringBuilder keys = new StringBuilder();
        for (Path key : publicKeys) {
            keys.append(Files.readString(key).strip()).append('\n');
        }
        Files.writeString(test.authorizedKeys, keys.toString());
        test.startOn(0);
        return test;
    }

    /**
     * A server on {@code host:port} (a fake cloud's instance: its own loopback address, port 22) accepting the given
     * public key lines.
     */
    public static TestSshServer startAt(Path dir, String host, int port, List<String> authorizedKeyLines)
            throws IOException {
        TestSshServer test = new TestSshServer(dir);
        test.host = host;
        Files.createDirectories(test.home);
        Files.writeString(test.authorizedKeys, String.join("\n", authorizedKeyLines) + "\n");
        test.startOn(port);
        return test;
    }

    public String host() {
        return host;
    }

    private void startOn(int wantedPort) throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost(host);
        server.setPort(wantedPort);
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(dir.resolve("host_key"));
        hostKeys.setAlgorithm("EC");
        hostKeys.setKeySize(256); // MINA's default, nistp521, takes seconds to generate on a busy machine
        server.setKeyPairProvider(hostKeys);
        // As OpenSSH's sshd: small packets go out at once instead of waiting for the client's delayed ACK.
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(server, true);
        server.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(authorizedKeys));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
        server.setCommandFactory((channel, command) -> new BashCommand(command, home, environment));
        server.addSessionListener(new org.apache.sshd.common.session.SessionListener() {
            @Override
            public void sessionCreated(org.apache.sshd.common.session.Session session) {
                sessions.incrementAndGet();
            }
        });
        server.start();
        port = server.getPort();
    }

    public int port() {
        return port;
    }

    /** SSH connections accepted since the server was made. */
    public int sessionsOpened() {
        return sessions.get();
    }

    public Path home() {
        return home;
    }

    /** Sets a variable in the environment of the commands this server runs from now on. */
    public TestSshServer environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Stops the server and drops every connection (jobs it started keep running). */
    public void stop() throws IOException {
        server.stop(true);
    }

    /** Starts again on the same port, as a restarted sshd would. */
    public void restart() throws IOException {
        startOn(port);
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.stop(true);
        }
    }

    /** An exec request run by bash, its streams piped to the channel. */
    private static final class BashCommand implements Command {
        private final String command;
        private final Path home;
        private final java.util.Map<String, String> environment;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        BashCommand(String command, Path home, java.util.Map<String, String> environment) {
            this.command = command;
            this.home = home;
            this.environment = environment;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            ProcessBuilder builder = new ProcessBuilder(List.of("bash", "-c", command)).directory(home.toFile());
            builder.environment().put("HOME", home.toString());
            // ~/bin first, as a login shell would: tests put stand-ins for host tools (nvidia-smi, ...) there.
            builder.environment().put("PATH", home.resolve("bin") + ":" + System.getenv().getOrDefault("PATH",
                    "/usr/local/bin:/usr/bin:/bin"));
            builder.environment().putAll(environment);
            process = builder.start();
            Thread stdin = pump(in, process.getOutputStream(), true);
            Thread stdout = pump(process.getInputStream(), out, false);
            Thread stderr = pump(process.getErrorStream(), err, false);
            Thread waiter = new Thread(() -> {
                try {
                    int code = process.waitFor();
                    stdout.join();
                    stderr.join();
                    stdin.interrupt();
                    exit.onExit(code);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-sshd-exit");
            waiter.setDaemon(true);
            waiter.start();
        }

        private static Thread pump(InputStream from, OutputStream to, boolean closeAfter) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try {
                    int n;
                    while ((n = from.read(buffer)) >= 0) {
                        to.write(buffer, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // the channel or the process went away
                } finally {
                    if (closeAfter) {
                        try {
                            to.close();
                        } catch (IOException e) {
                            // nothing more to send
                        }
                    }
                }
            }, "test-sshd-pump");
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null && process.isAlive()) {
                process.destroy();
                try {
                    process.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** A key pair made by ssh-keygen: {@code type} rsa, ecdsa or ed25519; {@code pem} for the PEM format. */
    public static Path keygen(Path dir, String name, String type, boolean pem, String passphrase) {
        Path key = dir.resolve(name);
        List<String> command = new java.util.ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", passphrase,
                "-C", name, "-f", key.toString()));
        if (pem) {
            command.addAll(List.of("-m", "PEM"));
        }
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException("ssh-keygen failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return key;
    }
}
