package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.server.DstackServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that talk to a server, run in-process against a real {@link DstackServer} on a loopback port, over
 * an engine that runs jobs as real local processes; the CLI's home directory (and config.yml) is a temp dir.
 */
class ServerCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SMALL = "resources:\n  cpu: 0..\n  memory: 0GB..\n  disk: 0GB..\n";

    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;

    @BeforeAll
    static void start() throws IOException {
        server = TestServers.builder(dir).build().start();
        cli = TestServers.cliFor(server, dir.resolve("home"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static String task(String name, String... commands) {
        StringBuilder yaml = new StringBuilder("type: task\nname: " + name + "\n" + SMALL + "commands:\n");
        for (String command : commands) {
            yaml.append("  - '").append(command.replace("'", "''")).append("'\n");
        }
        return yaml.toString();
    }

    @Test
    void configWritesTheProjectAsDefault() throws IOException {
        String config = Files.readString(cli.configFile());
        assertThat(config).contains("name: main", "url: " + server.url(), "token: " + server.engine().adminToken(),
                "default: true");
    }

    @Test
    void applyStreamsTheJobsOutputAndExitsWithItsExitCode() throws IOException {
        Path yml = file("exit3.dstack.yml", task("exit-three", "echo hello-from-the-task", "exit 3"));

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");

        assertThat(apply.exitCode()).as("%s", apply).isEqualTo(3);
        assertThat(apply.out()).contains(" Project        main", " Type           task", "#  BACKEND",
                "Submitted exit-three", "hello-from-the-task");
        assertThat(apply.err()).contains("exit-three failed (exit status 3)");

        CliRun logs = CliRun.in(cli, "logs", "exit-three");
        assertThat(logs.exitCode()).as("%s", logs).isZero();
        assertThat(logs.outLines()).containsExactly("hello-from-the-task");

        CliRun ps = CliRun.in(cli, "ps", "-a");
        assertThat(ps.exitCode()).as("%s", ps).isZero();
        assertThat(ps.outLines().get(0)).matches("NAME +BACKEND +GPU +PRICE +STATUS +SUBMITTED");
        assertThat(ps.out()).containsPattern("exit-three +remote \\(remote\\) +- +\\$0 +exited \\(3\\) +\\d+ sec ago");
    }

    @Test
    void aSuccessfulRunExitsZeroAndCanBeDeleted() throws IOException {
        Path yml = file("ok.dstack.yml", task("all-good", "echo fine"));

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("fine");

        CliRun delete = CliRun.in(cli, "delete", "all-good", "-y");
        assertThat(delete.exitCode()).as("%s", delete).isZero();
        CliRun logs = CliRun.in(cli, "logs", "all-good");
        assertThat(logs.exitCode()).isEqualTo(1);
        assertThat(logs.err()).startsWith("Error: ").containsIgnoringCase("not found");
    }

    @Test
    void aFinishedRunShowsItsLastStatusOnceAndIsNotStoppedAgain() throws IOException {
        Path yml = file("quick.dstack.yml", task("quick-one", "echo quick"));
        assertThat(CliRun.in(cli, "apply", "-f", yml.toString(), "-y").exitCode()).isZero();

        CliRun attach = CliRun.in(cli, "attach", "quick-one");
        assertThat(attach.exitCode()).as("%s", attach).isZero();
        assertThat(attach.errLines()).containsOnlyOnce("quick-one done (exit status 0)")
                .filteredOn(line -> line.startsWith("quick-one ")).hasSize(1);

        CliRun stop = CliRun.in(cli, "stop", "quick-one", "-y");
        assertThat(stop.exitCode()).as("%s", stop).isZero();
        assertThat(stop.outLines()).containsExactly("Run quick-one has already finished (done): nothing to stop");
    }

    @Test
    void aRetryingRunThatIsStoppedShowsAsStopped() throws IOException {
        Path yml = file("retrying.dstack.yml", task("retrying-one", "echo attempt", "exit 1")
                + "retry:\n  on_events: [error]\n  duration: 1h\n");
        assertThat(CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "-d").exitCode()).isZero();
        await().atMost(WAIT).until(() -> CliRun.in(cli, "logs", "retrying-one").out().contains("attempt"));

        CliRun stop = CliRun.in(cli, "stop", "retrying-one", "-y");
        assertThat(stop.exitCode()).as("%s", stop).isZero();

        await().atMost(WAIT).untilAsserted(() -> assertThat(CliRun.in(cli, "ps", "-a").out())
                .containsPattern("retrying-one .* stopped +\\d+ sec ago"));
    }

    @Test
    void pythonsPrintReachesTheLogsAsItIsPrintedNotWhenTheProgramEnds() throws IOException {
        // Python buffers stdout in blocks when it is a pipe: the line would come only at exit, 10 minutes from now.
        Path yml = file("progress.dstack.yml", task("progress", "python3 -c \"import time; print('epoch 1 done');"
                + " time.sleep(600)\""));
        assertThat(CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "-d").exitCode()).isZero();

        await().atMost(WAIT).until(() -> CliRun.in(cli, "logs", "progress").out().equals("epoch 1 done\n"));
        assertThat(CliRun.in(cli, "ps").out()).containsPattern("progress .*running");
        assertThat(CliRun.in(cli, "stop", "progress", "-y").exitCode()).isZero();
    }

    @Test
    void theLocalHostsDiskIsCheckedWhenAskedForAndTheDefaultIsShownAsNotReserved() throws IOException {
        Path huge = file("huge-disk.dstack.yml", "type: task\nname: huge-disk\nresources:\n  cpu: 0..\n"
                + "  memory: 0GB..\n  disk: 1000000GB..\ncommands:\n  - echo never\n");
        CliRun refused = CliRun.in(cli, "apply", "-f", huge.toString(), "-y");
        assertThat(refused.exitCode()).as("%s", refused).isEqualTo(1);
        assertThat(refused.out()).contains("No matching instance offers available");
        assertThat(refused.err()).containsPattern("disk=1000000GB\\.\\. asks for more than the host's free disk"
                + " \\([\\d.]+GB\\)");

        Path plain = file("default-disk.dstack.yml", "type: task\nname: default-disk\nresources:\n  cpu: 0..\n"
                + "  memory: 0GB..\ncommands:\n  - echo fits\n");
        CliRun fits = CliRun.in(cli, "apply", "-f", plain.toString(), "-y");
        assertThat(fits.exitCode()).as("%s", fits).isZero();
        assertThat(fits.out()).contains("disk=100GB.. (the default disk is not reserved on on-prem hosts: jobs share"
                + " their disk)", "fits");
    }

    @Test
    void psVerboseShowsTheJobsShareOfTheHostNotTheWholeHost() throws IOException {
        Path yml = file("one-block.dstack.yml", task("one-block", "echo one", "sleep 600"));
        assertThat(CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "-d").exitCode()).isZero();
        await().atMost(WAIT).until(() -> CliRun.in(cli, "ps").out().matches("(?s).*one-block .*running.*"));

        String job = CliRun.in(cli, "ps", "-v").outLines().stream().filter(l -> l.startsWith("one-block ")).findFirst()
                .orElseThrow();
        String host = CliRun.in(cli, "fleet").outLines().stream().filter(l -> l.matches(" +0 +remote .*"))
                .findFirst().orElseThrow();
        double jobMemory = gigabytes(job);
        double hostMemory = gigabytes(host);
        // One of the local fleet's 8 blocks: an eighth of the memory (give or take the rounding of what is shown).
        assertThat(jobMemory).as("%s vs %s", job, host).isCloseTo(hostMemory / 8, org.assertj.core.data.Offset.offset(0.2));
        assertThat(CliRun.in(cli, "stop", "one-block", "-y").exitCode()).isZero();
    }

    /** The memory of a resources cell, {@code NxCPU, <memory>GB, ...}. */
    private static double gigabytes(String row) {
        java.util.regex.Matcher memory = java.util.regex.Pattern.compile("\\d+xCPU, ([\\d.]+)GB").matcher(row);
        assertThat(memory.find()).as(row).isTrue();
        return Double.parseDouble(memory.group(1));
    }

    @Test
    void aDetachedLongTaskIsStoppedAndAttachReportsIt() throws IOException {
        Path yml = file("long.dstack.yml", task("sleeper", "echo started", "sleep 600"));

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "-d");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("Submitted sleeper", "dstack logs sleeper");
        await().atMost(WAIT).until(() -> CliRun.in(cli, "logs", "sleeper").out().contains("started"));
        assertThat(CliRun.in(cli, "ps").out()).containsPattern("sleeper .*running");

        CliRun stop = CliRun.in(cli, "stop", "sleeper", "-y");
        assertThat(stop.exitCode()).as("%s", stop).isZero();

        CliRun attach = CliRun.in(cli, "attach", "sleeper");
        assertThat(attach.exitCode()).as("%s", attach).isEqualTo(1);
        assertThat(attach.out()).contains("started");
        assertThat(attach.err()).contains("sleeper terminated");
    }

    @Test
    void applyAsksAndRefusesWithoutAnAnswer() throws IOException {
        Path yml = file("ask.dstack.yml", task("never-submitted", "echo no"));

        CliRun closed = CliRun.in(cli, "apply", "-f", yml.toString());
        assertThat(closed.exitCode()).isEqualTo(1);
        assertThat(closed.out()).contains("Submit the run never-submitted? [y/n]: ");
        assertThat(closed.err()).contains("Error: no answer to \"Submit the run never-submitted?\"", "Pass -y");

        CliRun no = CliRun.in(cli.withStdin(new BufferedReader(new StringReader("n\n"))), "apply", "-f", yml.toString());
        assertThat(no.exitCode()).isEqualTo(1);
        assertThat(no.out()).contains("Exiting...");
        assertThat(CliRun.in(cli, "logs", "never-submitted").err()).containsIgnoringCase("not found");
    }

    @Test
    void invalidAndCloudFleetFilesAreRefusedBeforeCallingTheServer() throws IOException {
        Path bad = file("bad.dstack.yml", "type: task\ncommands: oops\nresources:\n  gpu: -1\n");
        CliRun invalid = CliRun.in(cli, "apply", "-f", bad.toString(), "-y");
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.errLines()).first().asString().startsWith(bad + ":");
        assertThat(invalid.errLines()).last().asString().startsWith("Error: " + bad + " is not a valid configuration");

        Path fleet = file("fleet.dstack.yml", "type: fleet\nname: f\nnodes: 1\n");
        CliRun fleetApply = CliRun.in(cli, "apply", "-f", fleet.toString(), "-y");
        assertThat(fleetApply.exitCode()).isEqualTo(1);
        assertThat(fleetApply.err()).isEqualTo("Error: only SSH fleets (with ssh_config) can be applied by this server"
                + " yet (" + fleet + ")\n");

        CliRun missing = CliRun.in(cli, "apply", "-f", dir.resolve("nope.yml").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");
    }

    @Test
    void secretsAreSetListedReadAndDeleted() {
        assertThat(CliRun.in(cli, "secret", "set", "API_KEY", "s3cr3t").exitCode()).isZero();
        // dstack's columns: the value stays hidden in the list
        assertThat(CliRun.in(cli, "secret", "list").outLines()).satisfiesExactly(
                header -> assertThat(header).matches("NAME +VALUE"),
                row -> assertThat(row).matches("API_KEY +\\*{6}"));
        assertThat(CliRun.in(cli, "secret", "get", "API_KEY").outLines()).containsExactly("s3cr3t");
        assertThat(CliRun.in(cli, "secret", "delete", "API_KEY").exitCode()).isZero();
        CliRun gone = CliRun.in(cli, "secret", "get", "API_KEY");
        assertThat(gone.exitCode()).isEqualTo(1);
        assertThat(gone.err()).startsWith("Error: ").doesNotContain("Exception");
    }

    @Test
    void offersAndFleetsAreListed() {
        CliRun offer = CliRun.in(cli, "offer");
        assertThat(offer.exitCode()).as("%s", offer).isZero();
        assertThat(offer.outLines().get(0)).matches(" # +BACKEND +REGION +RESOURCES +SPOT +PRICE");
        assertThat(offer.outLines()).hasSizeGreaterThan(1);

        CliRun fleet = CliRun.in(cli, "fleet");
        assertThat(fleet.exitCode()).as("%s", fleet).isZero();
        assertThat(fleet.outLines().get(0)).matches("FLEET +INSTANCE +BACKEND +RESOURCES +PRICE +STATUS +CREATED");
        // The local fleet's machine: its resources, price, and how many of its 8 blocks are busy.
        assertThat(fleet.out()).containsPattern("local +active")
                .containsPattern("\n +0 +remote \\(remote\\) +\\d+xCPU, [\\d.]+GB, [\\d.]+GB \\(disk\\) +\\$0 +\\d/8 busy +");
    }

    @Test
    void projectsAreAddedCheckedListedAndDeleted() throws IOException {
        CliEnvironment other = new CliEnvironment(Map.of(), Files.createDirectories(dir.resolve("home-projects")), null,
                false);
        CliRun forbidden = CliRun.in(other, "project", "add", "--name", "main", "--url", server.url(), "--token", "bad");
        assertThat(forbidden.exitCode()).isEqualTo(1);
        assertThat(forbidden.err()).isEqualTo("Error: Forbidden. Ensure the token is valid.\n");
        CliRun unknown = CliRun.in(other, "project", "add", "--name", "nope", "--url", server.url(), "--token",
                server.engine().adminToken());
        assertThat(unknown.err()).isEqualTo("Error: Project 'nope' not found.\n");

        String token = server.engine().adminToken();
        assertThat(CliRun.in(other, "project", "add", "--name", "main", "--url", server.url(), "--token", token).exitCode())
                .isZero();
        assertThat(CliRun.in(other, "project", "add", "--name", "main", "--url", server.url() + "/", "--token", token,
                "-n").exitCode()).isZero();
        CliRun list = CliRun.in(other, "project", "list");
        assertThat(list.outLines()).hasSize(2);
        assertThat(list.outLines().get(0)).matches("PROJECT +URL +DEFAULT");
        assertThat(list.outLines().get(1)).contains("main", "✓");

        assertThat(CliRun.in(other, "project", "set-default", "ghost").err()).isEqualTo("Error: Project 'ghost' not found\n");
        assertThat(CliRun.in(other, "project", "delete", "main", "-y").exitCode()).isZero();
        assertThat(CliRun.in(other, "project", "list").outLines()).containsExactly("PROJECT  URL  DEFAULT");
        CliRun noProject = CliRun.in(other, "ps");
        assertThat(noProject.exitCode()).isEqualTo(1);
        assertThat(noProject.err()).startsWith("Error: No default project in ");
    }

    @Test
    void aServerThatIsNotRunningIsNamed() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        CliEnvironment nowhere = new CliEnvironment(Map.of("DSTACK_SERVER_URL", "http://127.0.0.1:" + port,
                "DSTACK_TOKEN", "t", "DSTACK_PROJECT", "main"), dir, null, false);

        CliRun ps = CliRun.in(nowhere, "ps");

        assertThat(ps.exitCode()).isEqualTo(1);
        assertThat(ps.err()).isEqualTo("Error: Cannot connect to http://127.0.0.1:" + port
                + ": is the server running? (dstack server)\n");
    }
}
