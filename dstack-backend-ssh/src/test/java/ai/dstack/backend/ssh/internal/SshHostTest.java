package ai.dstack.backend.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.HostResources;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogChunk;
import ai.dstack.spi.host.LogLine;
import ai.dstack.spi.host.RemoteHost;
import ai.dstack.spi.host.RemoteHostAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SSH transport against MINA's SSH server on loopback, started by each test. */
class SshHostTest {
    private static final SshSettings FAST = SshSettings.defaults().withGrace(Duration.ofSeconds(30))
            .withExitPoll(Duration.ofMillis(100));

    @TempDir
    Path dir;

    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T resource) {
        closeLater.add(resource);
        return resource;
    }

    private TestSshServer server(String name, Path... publicKeys) throws IOException {
        return closing(TestSshServer.start(Files.createDirectories(dir.resolve(name)), publicKeys));
    }

    private SshConnector connector(SshSettings settings) {
        return closing(new SshConnector(dir.resolve("state/known_hosts"), settings));
    }

    private static RemoteHostAddress address(TestSshServer server, Path key, RemoteHostAddress jump) throws IOException {
        return new RemoteHostAddress("127.0.0.1", server.port(), "dstack", Files.readString(key), key.toString(), jump);
    }

    private static Path pub(Path key) {
        return Path.of(key + ".pub");
    }

    @ParameterizedTest(name = "{0} key, PEM {1}")
    @CsvSource({"ed25519, false", "rsa, false", "rsa, true", "ecdsa, false", "ecdsa, true"})
    void runsAJobWithKeyAuthenticationAndStreamsItsOutputAndExitCode(String type, boolean pem) throws Exception {
        Path key = TestSshServer.keygen(dir, "id_" + type + (pem ? "_pem" : ""), type, pem, "");
        TestSshServer server = server("host", pub(key));
        RemoteHost host = connector(FAST).host(address(server, key, null));
        HostExecutor executor = host.executor();

        JobHandle job = executor.start(JobLaunch.of("job-" + type, List.of("echo out-line", "echo err-line >&2",
                "printf 'no newline'", "exit 3")).withEnv(Map.of("GREETING", "it's me")));
        HostJobState status = executor.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(status).isInstanceOfSatisfying(HostJobState.Exited.class, e -> assertThat(e.exitCode()).isEqualTo(3));
        // stdout and stderr reach the log through two pipes: each keeps its order, not their order to each other.
        List<String> texts = texts(executor, job);
        assertThat(texts).containsExactlyInAnyOrder("out-line\n", "err-line\n", "no newline");
        assertThat(texts.indexOf("out-line\n")).isLessThan(texts.indexOf("no newline"));
        assertThat(executor.jobs()).contains(job);
        assertThat(server.home().resolve(".dstack-jvm/jobs/job-" + type + "/exit")).exists();
    }

    @Test
    void probeDetectsCpusMemoryAndDiskAndCleansOnlyFinishedJobs() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        TestSshServer server = server("host", pub(key));
        RemoteHost host = connector(FAST).host(address(server, key, null));

        HostResources resources = host.probe();

        assertThat(resources.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(resources.memoryMib()).isPositive();
        assertThat(resources.diskMib()).isGreaterThanOrEqualTo(HostProbe.MIN_FREE_DISK_MIB);
        assertThat(resources.cpuArch()).isIn("x86", "arm");

        HostExecutor executor = host.executor();
        JobHandle done = executor.start(JobLaunch.of("done", List.of("true")));
        executor.onFinished(done).toCompletableFuture().get(30, TimeUnit.SECONDS);
        JobHandle running = executor.start(JobLaunch.of("running", List.of("sleep 30")));
        host.removeEngineFiles();
        assertThat(server.home().resolve(".dstack-jvm/jobs/done")).doesNotExist();
        assertThat(executor.status(running)).isInstanceOf(HostJobState.Running.class);
        executor.kill(running);
        assertThat(executor.onFinished(running).toCompletableFuture().get(30, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(HostJobState.Exited.class, e -> assertThat(e.exitCode()).isEqualTo(137));
    }

    @Test
    void stopSendsSigtermToTheJob() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        TestSshServer server = server("host", pub(key));
        HostExecutor executor = connector(FAST).host(address(server, key, null)).executor();
        JobHandle job = executor.start(JobLaunch.of("stopped", List.of("trap 'echo got TERM; exit 7' TERM; echo ready;"
                + " while true; do sleep 0.1; done")));
        await().atMost(Duration.ofSeconds(20)).until(() -> texts(executor, job).contains("ready\n"));

        executor.stop(job, Duration.ofSeconds(20));

        assertThat(executor.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(HostJobState.Exited.class, e -> assertThat(e.exitCode()).isEqualTo(7));
        // bash may add its own "Terminated" line for the sleep that the signal ended, before or after the trap's
        assertThat(texts(executor, job)).startsWith("ready\n").contains("got TERM\n");
    }

    @Test
    void reachesAHostBehindAJumpHost() throws Exception {
        Path jumpKey = TestSshServer.keygen(dir, "jump_key", "ed25519", false, "");
        Path hostKey = TestSshServer.keygen(dir, "target_key", "rsa", false, "");
        TestSshServer jump = server("jump", pub(jumpKey));
        TestSshServer target = server("target", pub(hostKey));
        RemoteHostAddress viaJump = address(target, hostKey, address(jump, jumpKey, null));
        RemoteHost host = connector(FAST).host(viaJump);

        host.probe();
        HostExecutor executor = host.executor();
        JobHandle job = executor.start(JobLaunch.of("jumped", List.of("echo behind the bastion")));
        executor.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);

        assertThat(texts(executor, job)).containsExactly("behind the bastion\n");
        assertThat(target.home().resolve(".dstack-jvm/jobs/jumped")).exists();
        assertThat(jump.home().resolve(".dstack-jvm")).doesNotExist();
        assertThat(Files.readString(dir.resolve("state/known_hosts")))
                .contains("[127.0.0.1]:" + target.port() + " ").contains("[127.0.0.1]:" + jump.port() + " ");
    }

    @Test
    void aJobOutlivesAConnectionDropAndItsLogsAreWhole() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        TestSshServer server = server("host", pub(key));
        HostExecutor executor = connector(FAST).host(address(server, key, null)).executor();
        Path gate = dir.resolve("gate");
        JobHandle job = executor.start(JobLaunch.of("survivor", List.of("for i in 1 2 3; do echo before $i; done;"
                + " while [ ! -e " + gate + " ]; do sleep 0.05; done; for i in 1 2 3; do echo after $i; done")));
        await().atMost(Duration.ofSeconds(20)).until(() -> texts(executor, job).size() == 3);

        server.stop();
        Files.writeString(gate, "go"); // the job finishes while the host cannot be reached
        server.restart();

        HostJobState status = executor.onFinished(job).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(status).isInstanceOfSatisfying(HostJobState.Exited.class, e -> assertThat(e.exitCode()).isZero());
        assertThat(texts(executor, job)).containsExactly(
                "before 1\n", "before 2\n", "before 3\n", "after 1\n", "after 2\n", "after 3\n");
    }

    @Test
    void callsWaitForAHostThatComesBackWithinTheGracePeriod() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        TestSshServer server = server("host", pub(key));
        RemoteHost host = connector(FAST).host(address(server, key, null));
        HostExecutor executor = host.executor();
        JobHandle job = executor.start(JobLaunch.of("waiting", List.of("sleep 30")));
        server.stop();

        Thread restarter = new Thread(() -> {
            try {
                Thread.sleep(500);
                server.restart();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        restarter.start();
        HostJobState status = executor.status(job); // blocks through the outage instead of failing
        restarter.join();

        assertThat(status).isInstanceOf(HostJobState.Running.class);
        assertThat(host.unreachableReason()).isEmpty();
        executor.kill(job);
    }

    @Test
    void aHostUnreachablePastTheGracePeriodIsReportedInWords() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        TestSshServer server = server("host", pub(key));
        RemoteHost host = connector(FAST.withGrace(Duration.ofMillis(300))).host(address(server, key, null));
        HostExecutor executor = host.executor();
        server.stop();

        assertThatThrownBy(() -> executor.status(new JobHandle("x")))
                .isInstanceOf(HostExecutionException.class)
                .hasMessageContaining("Cannot connect to dstack@127.0.0.1:" + server.port());
        assertThat(host.unreachableReason()).get().asString().contains("Cannot connect");
    }

    @Test
    void aHostThatRefusesTheKeySaysSo() throws Exception {
        Path accepted = TestSshServer.keygen(dir, "accepted", "ed25519", false, "");
        Path other = TestSshServer.keygen(dir, "other", "ed25519", false, "");
        TestSshServer server = server("host", pub(accepted));
        RemoteHost host = connector(FAST).host(address(server, other, null));

        assertThatThrownBy(host::probe).isInstanceOf(HostExecutionException.class)
                .hasMessage("Authentication failed on dstack@127.0.0.1:" + server.port() + ": the host refused the key "
                        + other + " for user dstack");
    }

    @Test
    void aPassphraseProtectedKeyIsRefusedWithAClearMessage() throws Exception {
        Path key = TestSshServer.keygen(dir, "locked", "ed25519", false, "secret words");
        TestSshServer server = server("host", pub(key));
        RemoteHost host = connector(FAST).host(address(server, key, null));

        assertThatThrownBy(host::probe).isInstanceOf(HostExecutionException.class)
                .hasMessageStartingWith("The SSH key " + key + " is protected by a passphrase");
    }

    @Test
    void aChangedHostKeyIsRefusedNamingTheKnownHostsLine() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        TestSshServer server = server("host", pub(key));
        Path knownHosts = dir.resolve("state/known_hosts");
        Files.createDirectories(knownHosts.getParent());
        Path otherHostKey = TestSshServer.keygen(dir, "other_host", "rsa", false, "");
        String[] fake = Files.readString(pub(otherHostKey)).strip().split(" ");
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.port() + " " + fake[0] + " " + fake[1] + "\n");
        RemoteHost host = connector(FAST).host(address(server, key, null));

        assertThatThrownBy(host::probe).isInstanceOf(HostExecutionException.class)
                .hasMessageContaining("host key of [127.0.0.1]:" + server.port() + " changed")
                .hasMessageContaining("line 1 of " + knownHosts);
    }

    @Test
    void anImageNeedsADockerOrPodmanEngineOnTheHost() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        TestSshServer server = server("host", pub(key));
        // Clients with no engine behind them, first on the host's PATH: the binaries alone do not make a runtime.
        Path bin = Files.createDirectories(server.home().resolve("bin"));
        for (String cli : List.of("docker", "podman")) {
            Path fake = bin.resolve(cli);
            Files.writeString(fake, "#!/bin/sh\necho 'Cannot connect to the " + cli + " engine' >&2\nexit 1\n");
            Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        HostExecutor executor = connector(FAST).host(address(server, key, null)).executor();

        assertThatThrownBy(() -> executor.start(JobLaunch.of("boxed", List.of("true")).withImage("ubuntu:24.04")))
                .isInstanceOf(HostExecutionException.class)
                .hasMessageContaining("image ubuntu:24.04 needs a container runtime; dstack@127.0.0.1:" + server.port()
                        + " has no Docker or Podman engine that answers");
        assertThat(executor.containerRuntime()).isEmpty();
    }

    @Test
    void oneConnectionPerHostIsSharedByEveryCall() throws Exception {
        Path key = TestSshServer.keygen(dir, "id", "ed25519", false, "");
        TestSshServer server = server("host", pub(key));
        SshConnector connector = connector(FAST);
        RemoteHostAddress address = address(server, key, null);

        assertThat(connector.host(address)).isSameAs(connector.host(address));
        HostExecutor executor = connector.host(address).executor();
        List<Thread> threads = new ArrayList<>();
        List<JobHandle> jobs = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 12; i++) {
            int n = i;
            Thread thread = new Thread(() -> jobs.add(executor.start(JobLaunch.of("many-" + n, List.of("echo " + n)))));
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (JobHandle job : jobs) {
            executor.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertThat(jobs).hasSize(12);
        assertThat(server.sessionsOpened()).isEqualTo(1);
    }

    private static List<String> texts(HostExecutor executor, JobHandle job) {
        List<String> texts = new ArrayList<>();
        long offset = 0;
        while (true) {
            LogChunk chunk = executor.readLogs(job, offset, 1000);
            if (chunk.lines().isEmpty()) {
                return texts;
            }
            chunk.lines().stream().map(LogLine::rawText).forEach(texts::add);
            offset = chunk.nextOffset();
        }
    }
}
