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
        Path file = Files.writeString(dir.resolve("dev.dstack.yml"), "type: dev-environment\nname: dev-edge\n"
                + "ide: vscode\nfleets: [edge]\nenv:\n  - GREETING=hello from the edge\n"
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
        } finally {
            CliRun stop = CliRun.in(cli, "stop", "dev-edge", "-y");
            assertThat(stop.exitCode()).as("%s", stop).isZero();
            apply.join(WAIT.toMillis());
        }
        assertThat(apply.isAlive()).as("apply still attached: %s %s", out, err).isFalse();
    }
}
