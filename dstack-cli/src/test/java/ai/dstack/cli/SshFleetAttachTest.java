package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.server.DstackServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dstack apply} of a dev environment on an SSH fleet's host (a MINA SSH server on 127.0.0.2), then OpenSSH's
 * {@code ssh <run>} through the server's SSH endpoint: the session runs in the job on that host, over the server's
 * connection to it.
 */
class SshFleetAttachTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Path OPENSSH = Path.of("/usr/bin/ssh");

    @TempDir
    Path dir;

    private DstackServer server;
    private TestSshServer host;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (host != null) {
            host.close();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * OpenSSH's {@code ssh -L} through the server's endpoint reaches a port the job's own process listens on, and not
     * another listener on the host's loopback (here this test's own socket), which is refused.
     */
    private void forwardsOnlyTheJobsOwnPorts(Path home, int jobPort) throws Exception {
        try (java.net.ServerSocket foreign = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            AtomicInteger accepted = new AtomicInteger();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        foreign.accept().close();
                        accepted.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    // closed at the end of the test
                }
            }, "foreign listener");
            acceptor.start();
            int toJob = freePort();
            int toForeign = freePort();
            Path log = dir.resolve("ssh-forward.log");
            Process ssh = new ProcessBuilder(OPENSSH.toString(), "-F", home.resolve(".ssh/config").toString(),
                    "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-N",
                    "-L", toJob + ":localhost:" + jobPort, "-L", toForeign + ":localhost:" + foreign.getLocalPort(),
                    "dev-edge").redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
                java.net.URI hello = java.net.URI.create("http://127.0.0.1:" + toJob + "/hello.txt");
                try {
                    awaitServed(http, hello, log);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    Process probe = new ProcessBuilder(OPENSSH.toString(), "-F", home.resolve(".ssh/config").toString(),
                            "-o", "BatchMode=yes", "dev-edge", "(exec 3<>/dev/tcp/127.0.0.1/" + jobPort
                            + ") && echo something listens; ps -eo pid,sid,args | grep -v grep | grep http.server")
                            .redirectErrorStream(true).start();
                    probe.getOutputStream().close();
                    probe.waitFor(60, TimeUnit.SECONDS);
                    throw new AssertionError("not forwarded; in the job: " + new String(probe.getInputStream()
                            .readAllBytes(), StandardCharsets.UTF_8), e);
                }

                try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), toForeign)) {
                    assertThat(socket.getInputStream().read()).as("ssh closes the refused connection").isEqualTo(-1);
                }
                await().atMost(WAIT).until(() -> Files.readString(log).contains("open failed: administratively prohibited"));
                assertThat(accepted.get()).as("nothing reached the host's other listener").isZero();
            } finally {
                ssh.destroy();
                ssh.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitServed(java.net.http.HttpClient http, java.net.URI hello, Path log) {
        await().atMost(WAIT).untilAsserted(() -> {
            String body;
            try {
                body = http.send(java.net.http.HttpRequest.newBuilder(hello).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                body = e.toString();
            }
            assertThat(body).as("ssh: %s", Files.readString(log)).isEqualTo("served by the job\n");
        });
    }

    @Test
    void sshRunNameOpensASessionInTheJobOnTheSshHost() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(OPENSSH), "OpenSSH's ssh is not installed at " + OPENSSH);
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        host = TestSshServer.startAt(Files.createDirectories(dir.resolve("host")), "127.0.0.2", 0,
                List.of(Files.readString(Path.of(key + ".pub")).strip()));
        server = TestServers.builder(dir).sshPort(0).build().start();
        server.engine().applyFleet(DstackYaml.parse("type: fleet\nname: edge\nssh_config:\n  user: ubuntu\n"
                + "  identity_file: " + key + "\n  hosts:\n    - {hostname: 127.0.0.2, port: " + host.port() + "}\n",
                "fleet.dstack.yml", FleetConfiguration.class));
        await().atMost(WAIT).until(() -> server.engine().getFleet("main", "edge").instances(),
                list -> list.size() == 1 && list.get(0).status() == InstanceStatus.IDLE);
        Path home = dir.resolve("home");
        CliEnvironment cli = TestServers.cliFor(server, home);
        int jobPort = freePort();
        Path served = Files.createDirectories(dir.resolve("served"));
        Files.writeString(served.resolve("hello.txt"), "served by the job\n");
        Path file = Files.writeString(dir.resolve("dev.dstack.yml"), "type: dev-environment\nname: dev-edge\n"
                + "ide: vscode\nfleets: [edge]\nenv:\n  - GREETING=hello from the edge\n"
                + "init:\n  - python3 -m http.server " + jobPort + " --bind 127.0.0.1 --directory " + served
                + " >/dev/null 2>&1 &\n"
                + "resources:\n  cpu: 0..\n  memory: 0GB..\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread apply = new Thread(() -> exitCode.set(Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                cli, new String[] {"apply", "-f", file.toString(), "-y"})), "dstack apply");
        apply.start();
        try {
            await().atMost(WAIT).until(() -> out.toString().contains("To connect via SSH"));
            Process ssh = new ProcessBuilder(OPENSSH.toString(), "-F", home.resolve(".ssh/config").toString(),
                    "-o", "BatchMode=yes", "dev-edge", "pwd; echo \"$GREETING\"; echo \"$DSTACK_MASTER_NODE_IP\"")
                    .start();
            ssh.getOutputStream().close();
            assertThat(ssh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String stdout = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(ssh.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ssh.exitValue()).as("ssh: %s %s", stdout, stderr).isZero();
            List<String> lines = stdout.lines().toList();
            assertThat(lines).as("%s", stderr).hasSize(3);
            assertThat(lines.get(0)).as("the job's directory on the SSH host")
                    .startsWith(host.home().toRealPath().toString() + "/.dstack-jvm/jobs/").endsWith("/workdir");
            assertThat(lines.subList(1, 3)).containsExactly("hello from the edge", "127.0.0.2");
            forwardsOnlyTheJobsOwnPorts(home, jobPort);
        } finally {
            CliRun stop = CliRun.in(cli, "stop", "dev-edge", "-y");
            assertThat(stop.exitCode()).as("%s", stop).isZero();
            apply.join(WAIT.toMillis());
        }
        assertThat(apply.isAlive()).as("apply still attached: %s %s", out, err).isFalse();
    }
}
