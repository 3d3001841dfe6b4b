package ai.dstack.backend.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogLine;
import ai.dstack.spi.host.RemoteHost;
import ai.dstack.spi.host.RemoteHostAddress;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSH transport against OpenSSH's own {@code sshd} on a loopback port, run as this user with a config of the
 * test's own. Skipped, with a message, where {@code /usr/sbin/sshd} is not installed.
 */
class OpenSshTest {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    @TempDir
    Path dir;

    @Test
    void runsAJobOnOpenSshWithAnEd25519Key() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(SSHD), "OpenSSH's sshd is not installed (" + SSHD
                + " is missing): the OpenSSH test is skipped; MINA's server covers the protocol");
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        Path hostKey = TestSshServer.keygen(dir, "host_key", "ed25519", false, "");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + hostKey, "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + key + ".pub", "UsePAM no", "StrictModes no", "PasswordAuthentication no",
                "AllowTcpForwarding yes", ""));
        Files.createDirectories(Path.of("/run/sshd"));
        Process sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        try (SshConnector connector = new SshConnector(dir.resolve("known_hosts"), SshSettings.defaults())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> accepts(port));
            RemoteHost host = connector.host(new RemoteHostAddress("127.0.0.1", port,
                    System.getProperty("user.name"), Files.readString(key), key.toString(), null));

            assertThat(host.probe().cpus()).isPositive();
            HostExecutor executor = host.executor();
            JobHandle job = executor.start(JobLaunch.of("openssh-" + UUID.randomUUID(), List.of("echo via openssh")));
            HostJobState status = executor.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(status).isInstanceOfSatisfying(HostJobState.Exited.class, e -> assertThat(e.exitCode()).isZero());
            assertThat(executor.readLogs(job, 0).lines()).extracting(LogLine::text).containsExactly("via openssh");
            executor.cleanup(job);
            host.removeEngineFiles();
        } finally {
            sshd.destroy();
            sshd.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
