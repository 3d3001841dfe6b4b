package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.ShellRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processes opened inside a running local job: its environment and directory, its ports, its leftovers. */
class LocalJobShellsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir Path root;
    LocalHostExecutor host;
    LocalJobShells shells;

    @BeforeEach
    void create() {
        host = new LocalHostExecutor(root);
        shells = new LocalJobShells(root);
    }

    @AfterEach
    void killLeftoverJobs() {
        for (JobHandle job : host.jobs()) {
            if (host.status(job) instanceof HostJobState.Running) {
                host.kill(job);
            }
        }
        LocalHostExecutorTest.awaitWrappersGone(host);
        host.close();
    }

    @Test
    void aCommandRunsInTheJobsDirectoryWithTheJobsEnvironmentAndExitCode() throws Exception {
        JobHandle job = host.start(JobLaunch.of("job-env", List.of("sleep 60"))
                .withEnv(Map.of("GREETING", "it's \"quoted\" $NOT_EXPANDED", "DSTACK_JOB_ID", "job-env")));
        Process process = shells.open(job, ShellRequest.exec("echo \"$GREETING\"; pwd; echo \"$DSTACK_WORKING_DIR\"; exit 3"));
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        String workdir = root.resolve("job-env").resolve("workdir").toRealPath().toString();
        assertThat(lines).containsExactly("it's \"quoted\" $NOT_EXPANDED", workdir, workdir);
        assertThat(process.exitValue()).isEqualTo(3);
        assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .as("entering a job without a container says nothing about one").isEmpty();
        assertThat(shells.workingDirectory(job)).isEqualTo(root.resolve("job-env").resolve("workdir").toString());
    }

    @Test
    void theJobsPortsAreItsOwnAndWhatAShellLeftRunningEndsOnRequest() throws Exception {
        int jobPort = freePort();
        int shellPort = freePort();
        JobHandle job = host.start(JobLaunch.of("job-ports", List.of("exec python3 -m http.server " + jobPort + " --bind 127.0.0.1"))
                .withEnv(Map.of("DSTACK_JOB_ID", "job-ports")));
        await().atMost(WAIT).until(() -> shells.listensOn(job, jobPort));
        assertThat(shells.listensOn(job, shellPort)).isFalse();

        Process started = shells.open(job, ShellRequest.exec(
                "nohup python3 -m http.server " + shellPort + " --bind 127.0.0.1 > /dev/null 2>&1 &"));
        assertThat(started.waitFor(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(WAIT).until(() -> shells.listensOn(job, shellPort));

        host.kill(job);
        shells.endLeftovers(job);
        await().atMost(WAIT).until(() -> !shells.listensOn(job, shellPort) && !accepts(shellPort));
    }

    @Test
    void aJobWithoutFilesHereIsNamedInTheError() {
        assertThatThrownBy(() -> shells.open(new JobHandle("no-such-job"), ShellRequest.exec("true")))
                .isInstanceOf(HostExecutionException.class).hasMessageContaining("job no-such-job has no files on this host");
    }

    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
