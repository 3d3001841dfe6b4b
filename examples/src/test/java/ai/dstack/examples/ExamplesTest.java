package ai.dstack.examples;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every program in examples/ built and run as a program (its own JVM, this module's class path), with the
 * configurations in examples/configurations; the remote ones against a real server on loopback.
 */
// One at a time: each example is a JVM whose engine starts and stops beside the server's, and together they made a
// remote run fail at once now and then (1 run in 4 whole builds); the order costs a few seconds.
@Execution(ExecutionMode.SAME_THREAD)
class ExamplesTest {
    private static final Path HELLO = Path.of("configurations/hello.dstack.yml").toAbsolutePath();

    @TempDir
    static Path dir;
    static DstackServer server;

    @BeforeAll
    static void start() {
        server = DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(4)
                        .sweepInterval(Duration.ofMillis(200)))
                .port(0).build().start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void embedAndRunRunsTheTaskOnAnEmbeddedEngine() throws Exception {
        String out = run(EmbedAndRun.class, dir.resolve("embedded").toString(), HELLO.toString());
        assertThat(out).contains("Hello from hello (node 0 of 1)", "step 3", "hello: done");
        assertThat(dir.resolve("embedded/data/sqlite.db")).exists();
    }

    @Test
    void remoteServerAppliesAndListsRuns() throws Exception {
        Path task = Files.writeString(dir.resolve("remote.dstack.yml"),
                "type: task\nname: remote-hello\ncommands:\n  - echo hello over HTTP\n");
        String out = run(RemoteServer.class, server.url(), server.engine().adminToken(), task.toString());
        assertThat(out).as(ExamplesTest::serverView)
                .contains("Connected to dstack", "hello over HTTP", "remote-hello: done", "run remote-hello done");
    }

    @Test
    void listOffersShowsTheLocalFleet() throws Exception {
        String out = run(ListOffers.class, server.url(), server.engine().adminToken(), "1");
        assertThat(out).containsPattern("remote remote \\d+xCPU.* \\$0\\.0000 (available|idle)")
                .containsPattern("[1-9]\\d* offers");
    }

    @Test
    void followLogsStreamsARunUntilItEnds() throws Exception {
        Path task = Files.writeString(dir.resolve("slow.dstack.yml"),
                "type: task\nname: slow-count\ncommands:\n  - for i in 1 2 3; do echo tick $i; sleep 0.3; done\n");
        try (DstackClient client = Dstack.remote(server.url(), server.engine().adminToken(), "main")) {
            var main = client.project();
            var config = ai.dstack.api.yaml.DstackYaml.parse(Files.readString(task), task.toString(),
                    ai.dstack.api.configuration.RunConfiguration.class);
            main.applyRun(main.getRunPlan(ai.dstack.api.run.RunSpec.newBuilder().configuration(config).build()));
        }
        String out = run(FollowLogs.class, server.url(), server.engine().adminToken(), "slow-count");
        assertThat(out).as(ExamplesTest::serverView).contains("| tick 1", "| tick 2", "| tick 3", "slow-count ended done");
    }

    @Test
    void aCustomLogStorageIsFoundThroughServiceLoader() throws Exception {
        String out = run(CustomLogStorage.class, dir.resolve("custom").toString(), HELLO.toString());
        assertThat(out).contains("[tee hello] Hello from hello (node 0 of 1)", "[tee hello] step 3", "hello: done");
    }

    /** Runs {@code main} in a JVM of its own, as a user would; its whole output. */
    private static String run(Class<?> main, String... args) throws IOException, InterruptedException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classPath, main.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, main.getSimpleName(), ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(main.getSimpleName() + " did not finish:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        assertThat(process.exitValue())
                .as(() -> main.getSimpleName() + " exit code; output:\n" + out + "\n" + serverView()).isZero();
        return out;
    }

    /**
     * What the test's server says of its runs (status, the latest job's status, reason, message and exit status): a
     * remote run that fails says why in the failure, not only in the example's output.
     */
    private static String serverView() {
        StringBuilder view = new StringBuilder("the server's runs:");
        try (DstackClient client = Dstack.remote(server.url(), server.engine().adminToken(), "main")) {
            for (Run run : client.project().listRuns()) {
                JobSubmission job = run.latestJobSubmission();
                view.append("\n  ").append(run.runSpec().runName()).append(' ').append(run.status().wireValue());
                if (job != null) {
                    view.append(" / job ").append(job.status().wireValue()).append(' ').append(job.statusMessage())
                            .append(", reason ").append(job.terminationReason()).append(": ")
                            .append(job.terminationReasonMessage()).append(", exit status ").append(job.exitStatus())
                            .append(job.error() == null ? "" : ", error " + job.error());
                }
            }
        } catch (RuntimeException e) {
            view.append(" (cannot list them: ").append(e).append(')');
        }
        return view.toString();
    }

    static {
        // The class path entries above are absolute; the programs read relative paths from this module's directory.
        assertThat(new File("configurations").isDirectory()).as("run from the examples module").isTrue();
    }
}
