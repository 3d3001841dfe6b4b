package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.server.DstackServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dstack apply} and {@code dstack attach} over SSH against a real server with its SSH endpoint on loopback:
 * the host entry in {@code ~/.dstack/ssh/config} (included from {@code ~/.ssh/config}) that OpenSSH's {@code ssh}
 * follows into the dev environment, the IDE link, and a task's port forwarded to this machine while attached.
 */
class SshAttachTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SMALL = "resources:\n  cpu: 0..\n  memory: 0GB..\n";
    private static final Path OPENSSH = Path.of("/usr/bin/ssh");

    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;
    private static Path home;

    @BeforeAll
    static void start() throws IOException {
        server = TestServers.builder(dir).sshPort(0).build().start();
        home = dir.resolve("home");
        cli = TestServers.cliFor(server, home);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A command running on its own thread, its output readable while it runs. */
    private record Running(Thread thread, StringWriter out, StringWriter err, AtomicInteger exitCode) {
        static Running start(String... args) {
            return start(cli, args);
        }

        static Running start(CliEnvironment cli, String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            AtomicInteger exitCode = new AtomicInteger(-1);
            Thread thread = new Thread(() -> exitCode.set(Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                    cli, args)), "dstack " + String.join(" ", args));
            thread.start();
            return new Running(thread, out, err, exitCode);
        }

        String output() {
            return "stdout:\n" + out + "\nstderr:\n" + err;
        }

        void awaitEnd() throws InterruptedException {
            thread.join(WAIT.toMillis());
            assertThat(thread.isAlive()).as("still running: %s", output()).isFalse();
        }
    }

    @Test
    void applyOfADevEnvironmentMakesSshRunNameWorkAndShowsTheIdeLink() throws Exception {
        Path file = Files.writeString(dir.resolve("dev.dstack.yml"), """
                type: dev-environment
                name: dev-cli
                ide: vscode
                env:
                  - GREETING=hello over ssh
                init:
                  - echo init ran > init-marker
                """ + SMALL);
        Running apply = Running.start("apply", "-f", file.toString(), "-y");
        Path dstackSshConfig = home.resolve(".dstack/ssh/config");
        await().atMost(WAIT).until(() -> Files.exists(dstackSshConfig) && Files.readString(dstackSshConfig).contains("Host dev-cli"));

        String entry = Files.readString(dstackSshConfig);
        String upstream = server.engine().getRun("main", "dev-cli").jobs().get(0).latestSubmission().id().toString().replace("-", "");
        assertThat(entry).contains("    HostName 127.0.0.1\n", "    Port " + server.sshPort() + "\n", "    User " + upstream + "\n",
                "    IdentitiesOnly yes\n");
        Path identity = Path.of(entry.lines().filter(l -> l.strip().startsWith("IdentityFile ")).findFirst().orElseThrow()
                .strip().substring("IdentityFile ".length()));
        assertThat(identity.getParent()).isEqualTo(home.resolve(".dstack/ssh"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(identity))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(home.resolve(".ssh/config")).get(0)).isEqualTo("Include " + dstackSshConfig);

        if (Files.isExecutable(OPENSSH)) {
            await().atMost(WAIT).until(() -> apply.out().toString().contains("To connect via SSH"));
            Process ssh = new ProcessBuilder(OPENSSH.toString(), "-F", home.resolve(".ssh/config").toString(),
                    "-o", "BatchMode=yes", "dev-cli", "pwd; echo \"$GREETING\"; cat init-marker")
                    .redirectErrorStream(false).start();
            ssh.getOutputStream().close();
            assertThat(ssh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String stdout = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(ssh.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ssh.exitValue()).as("ssh: %s %s", stdout, stderr).isZero();
            List<String> lines = stdout.lines().toList();
            assertThat(lines).hasSize(3);
            assertThat(lines.get(0)).endsWith("/workdir");
            assertThat(lines.subList(1, 3)).containsExactly("hello over ssh", "init ran");
        } else {
            System.out.println("SKIPPED: OpenSSH's ssh is not installed at " + OPENSSH + "; the ssh command was not tried");
        }

        CliRun stop = CliRun.in(cli, "stop", "dev-cli", "-y");
        assertThat(stop.exitCode()).as("%s", stop).isZero();
        apply.awaitEnd();
        assertThat(apply.out().toString()).containsPattern(
                "To open in VS Code, use link below:\\n\\n  vscode://vscode-remote/ssh-remote\\+dev-cli/\\S+/workdir\\n");
        assertThat(apply.err().toString()).contains("To connect to the run via SSH, use `ssh dev-cli`.");
        // Detached: the host entry is gone, the include stays.
        assertThat(Files.readString(dstackSshConfig)).doesNotContain("dev-cli");
    }

    @Test
    void attachForwardsATasksPortToTheLocalOneAndSaysWhereToOpenIt() throws Exception {
        int remote = freePort();
        int local = freePort();
        Path file = Files.writeString(dir.resolve("web.dstack.yml"), """
                type: task
                name: web-cli
                ports:
                  - %d:%d
                commands:
                  - echo served > index.html
                  - python3 -m http.server %d --bind 127.0.0.1
                """.formatted(local, remote, remote) + SMALL);
        CliRun apply = CliRun.in(cli, "apply", "-f", file.toString(), "-y", "-d");
        assertThat(apply.exitCode()).as("%s", apply).isZero();

        Running attach = Running.start("attach", "web-cli");
        await().atMost(WAIT).until(() -> attach.err().toString().contains("Press Ctrl+C to detach..."));
        assertThat(attach.err().toString()).contains("Attached to run web-cli (replica=0 job=0)\n"
                + "Forwarded ports (local -> remote):\n"
                + "  - localhost:" + local + " -> " + remote + "\n"
                + "To connect to the run via SSH, use `ssh web-cli`.\n");
        await().atMost(WAIT).ignoreExceptions().until(() -> httpGet(local).equals("served\n"));

        CliRun stop = CliRun.in(cli, "stop", "web-cli", "-y");
        assertThat(stop.exitCode()).as("%s", stop).isZero();
        attach.awaitEnd();
        // Detached: the local port is free again.
        try (ServerSocket reuse = new ServerSocket(local)) {
            assertThat(reuse.getLocalPort()).isEqualTo(local);
        }
    }

    @Test
    void aPortTheTaskServesOnThisMachineIsNotTakenFromItButForwardedFromAFreeOne() throws Exception {
        int port = freePort();
        Path file = Files.writeString(dir.resolve("own-port.dstack.yml"), """
                type: task
                name: own-port
                ports:
                  - %d
                commands:
                  - echo served > index.html
                  - sleep 2
                  - python3 -m http.server %d --bind 127.0.0.1
                """.formatted(port, port) + SMALL);
        Running apply = Running.start("apply", "-f", file.toString(), "-y");
        await().atMost(WAIT).until(() -> apply.err().toString().contains("Press Ctrl+C to detach..."));
        java.util.regex.Matcher forwarded = java.util.regex.Pattern.compile("  - localhost:(\\d+) -> " + port + "\n")
                .matcher(apply.err().toString());
        assertThat(forwarded.find()).as(apply.output()).isTrue();
        int local = Integer.parseInt(forwarded.group(1));
        assertThat(local).isNotEqualTo(port);
        assertThat(apply.err().toString()).contains("The run is on this machine: its ports are also open here as they are"
                + " (e.g. http://localhost:" + port + "/).");

        // The task got its own port (it started after the attach), and the forward reaches it too.
        await().atMost(WAIT).ignoreExceptions().until(() -> httpGet(port).equals("served\n"));
        assertThat(httpGet(local)).isEqualTo("served\n");
        assertThat(server.engine().getRun("main", "own-port").status().isFinished()).isFalse();

        CliRun stop = CliRun.in(cli, "stop", "own-port", "-y");
        assertThat(stop.exitCode()).as("%s", stop).isZero();
        apply.awaitEnd();
        assertThat(apply.output()).doesNotContain("Address already in use", "BindException");
    }

    @Test
    void theEndpointsHostKeyIsRecordedOnFirstUseAndAChangedOneIsRefused() throws Exception {
        Path otherHome = dir.resolve("other-home");
        CliEnvironment other = TestServers.cliFor(server, otherHome);
        // First use: apply attaches until the short task ends, and records the endpoint's key in dstack's own
        // known_hosts, the file the host entry names for OpenSSH too.
        Path brief = Files.writeString(dir.resolve("brief.dstack.yml"), "type: task\nname: brief\ncommands:\n"
                + "  - sleep 3\n" + SMALL);
        CliRun first = CliRun.in(other, "apply", "-f", brief.toString(), "-y");
        assertThat(first.exitCode()).as("%s", first).isZero();
        Path knownHosts = otherHome.resolve(".dstack/ssh/known_hosts");
        String recorded = Files.readString(knownHosts).strip();
        assertThat(recorded).startsWith("[127.0.0.1]:" + server.sshPort() + " ").doesNotContain("\n");

        // The endpoint now presents another key (a new server, or someone else's): refused, naming the file.
        String type = recorded.split(" ")[1];
        int bits = type.startsWith("ecdsa-sha2-nistp") ? Integer.parseInt(type.substring("ecdsa-sha2-nistp".length()))
                : type.equals("ssh-rsa") ? 2048 : 256;
        String anotherEntry = PublicKeyEntry.toString(KeyUtils.generateKeyPair(type, bits).getPublic());
        assertThat(anotherEntry.split(" ")[0]).as("a key of the recorded type").isEqualTo(type);
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.sshPort() + " " + anotherEntry + "\n");
        Path keyed = Files.writeString(dir.resolve("keyed.dstack.yml"), "type: task\nname: keyed\ncommands:\n"
                + "  - sleep 300\n" + SMALL);
        assertThat(CliRun.in(other, "apply", "-f", keyed.toString(), "-y", "-d").exitCode()).isZero();
        try {
            await().atMost(WAIT).until(() -> server.engine().getRun("main", "keyed").status().wireValue().equals("running"));
            // Nothing goes over that connection: attach says why and follows the logs over HTTP only.
            Running refused = Running.start(other, "attach", "keyed");
            await().atMost(WAIT).until(() -> refused.err().toString().contains("following the run's logs without SSH"));
            assertThat(refused.err().toString()).contains("Warning: the SSH endpoint 127.0.0.1:" + server.sshPort()
                    + " presented a host key (SHA256:", ") other than the one recorded for it in " + knownHosts)
                    .doesNotContain("Forwarded ports");
            assertThat(Files.readString(knownHosts)).as("the recorded key is kept").contains(anotherEntry);
            assertThat(CliRun.in(other, "stop", "keyed", "-y", "-x").exitCode()).isZero();
            refused.awaitEnd();
        } finally {
            CliRun.in(other, "stop", "keyed", "-y", "-x");
        }
    }

    @Test
    void theServersSshPortIsCheckedAndATakenOneIsNamed() throws Exception {
        CliEnvironment badPort = new CliEnvironment(Map.of("DSTACK_SERVER_SSH_PORT", "abc",
                "DSTACK_SERVER_DIR", dir.resolve("bad-port-server").toString()), home, null, false);
        CliRun bad = CliRun.in(badPort, "server", "--port", "0", "-n");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("Error: DSTACK_SERVER_SSH_PORT is 'abc', not a port number (or off)\n");

        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliEnvironment takenPort = new CliEnvironment(Map.of("DSTACK_SERVER_SSH_PORT", Integer.toString(taken.getLocalPort()),
                    "DSTACK_SERVER_DIR", dir.resolve("taken-port-server").toString()), home, null, false);
            CliRun run = CliRun.in(takenPort, "server", "--port", "0", "-n", "-l", "ERROR");
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("Error: cannot start the server on 127.0.0.1:0: cannot listen for SSH on 127.0.0.1:"
                    + taken.getLocalPort() + ": ").endsWith("(set DSTACK_SERVER_SSH_PORT to a free port)\n");
        }
    }

    private static String httpGet(int port) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/index.html").toURL()
                .openConnection();
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(5000);
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
