package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogLine;
import ai.dstack.spi.host.LogStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job outlives the JVM that started it, even one killed with SIGKILL. */
class EngineCrashTest {
    @TempDir Path root;

    @Test
    void jobStartedByAJvmKilledWithSigkillCompletesWithAllItsLogs() throws Exception {
        JobHandle job = new JobHandle(LocalHostExecutorTest.newJobId());
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        Process engine = new ProcessBuilder(javaCommand, "-cp", System.getProperty("java.class.path"),
                JobLaunchingMain.class.getName(), root.toString(), job.jobId())
                .redirectErrorStream(true)
                .start();
        try (BufferedReader output = new BufferedReader(
                new InputStreamReader(engine.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = output.readLine();
                assertThat(line).as("the child JVM ended before starting the job").isNotNull();
            } while (!line.equals("STARTED " + job.jobId()));

            assertThat(spawnersOf(root)).as("the engine's job spawner").hasSize(1);
            engine.destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up
            assertThat(engine.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(engine.exitValue()).isEqualTo(128 + 9);
        // Its job spawner sees its input end and goes too; the job does not depend on it.
        await().atMost(Duration.ofSeconds(20)).until(() -> spawnersOf(root).isEmpty());

        try (LocalHostExecutor host = new LocalHostExecutor(root)) {
            assertThat(host.status(job)).isInstanceOf(HostJobState.Running.class);
            Files.createFile(host.jobDirectory(job).resolve("workdir/go"));

            HostJobState status = host.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);

            assertThat(status).isInstanceOfSatisfying(HostJobState.Exited.class,
                    exited -> assertThat(exited.exitCode()).isEqualTo(5));
            List<LogLine> lines = LocalHostExecutorTest.allLogs(host, job);
            assertThat(lines.stream().filter(l -> l.stream() == LogStream.STDOUT).map(LogLine::text)).containsExactlyElementsOf(
                    Stream.concat(Stream.of("before"),
                            IntStream.rangeClosed(1, 50).mapToObj(i -> "line-" + i)).toList());
            assertThat(lines.stream().filter(l -> l.stream() == LogStream.STDERR).map(LogLine::text))
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 50).mapToObj(i -> "warn-" + i).toList());
            LocalHostExecutorTest.awaitWrappersGone(host);
        }
    }

    /** Processes named {@code dstack-job-spawner <root>}, as the spawner names itself. */
    static List<Long> spawnersOf(Path root) {
        String name = "dstack-job-spawner " + root.toAbsolutePath().normalize();
        return ProcessHandle.allProcesses().map(ProcessHandle::pid).filter(pid -> {
            try {
                return Files.readString(Path.of("/proc", pid.toString(), "cmdline")).replace('\0', ' ').strip()
                        .equals(name);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }).toList();
    }
}
