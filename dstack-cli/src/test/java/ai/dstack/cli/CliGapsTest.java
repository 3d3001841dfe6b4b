package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.server.DstackServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ps -v/-w}, {@code logs --replica/--job/--diagnose}, {@code stop/delete -f}, {@code offer} filters,
 * {@code apply} over an active run and with {@code files:}; in-process against a real server running real jobs.
 */
class CliGapsTest {
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

    private static String task(String name, String extra, String... commands) {
        StringBuilder yaml = new StringBuilder("type: task\n" + (name == null ? "" : "name: " + name + "\n") + SMALL
                + extra + "commands:\n");
        for (String command : commands) {
            yaml.append("  - '").append(command.replace("'", "''")).append("'\n");
        }
        return yaml.toString();
    }

    @Test
    void psShowsARowPerJobForMultiJobRunsAndVerboseColumns() throws IOException {
        Path yml = file("two.dstack.yml", task("two-nodes", "nodes: 2\n", "echo node $DSTACK_NODE_RANK"));
        assertThat(CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "-d").exitCode()).isZero();

        CliRun ps = CliRun.in(cli, "ps", "-a");
        List<String> lines = ps.outLines();
        assertThat(lines.get(0)).matches("NAME +BACKEND +GPU +PRICE +STATUS +SUBMITTED");
        int run = lines.indexOf(lines.stream().filter(l -> l.startsWith("two-nodes ")).findFirst().orElseThrow());
        assertThat(lines.get(run + 1)).startsWith("   job=0 ");
        assertThat(lines.get(run + 2)).startsWith("   job=1 ");

        CliRun verbose = CliRun.in(cli, "ps", "-a", "-v");
        assertThat(verbose.outLines().get(0)).matches("NAME +BACKEND +RESOURCES +INSTANCE TYPE +PRICE +STATUS +SUBMITTED +ERROR");
        assertThat(verbose.out()).contains("   job=1 ");
    }

    @Test
    void psWatchRedrawsTheTableUntilStopped() {
        CliRun watch = CliRun.in(cli, "ps", "-a", "-w", "--watch-count", "2");
        assertThat(watch.exitCode()).as("%s", watch).isZero();
        assertThat(watch.outLines().stream().filter(l -> l.startsWith("NAME ")).count()).isEqualTo(2);

        CliRun json = CliRun.in(cli, "ps", "-w", "--json");
        assertThat(json.exitCode()).isEqualTo(2);
        assertThat(json.err()).contains("JSON output is not supported together with --watch");
    }

    @Test
    void logsPickTheReplicaAndJobAndDiagnoseReadsTheRunnerLogs() throws IOException {
        Path yml = file("logs.dstack.yml", task("log-lines", "", "echo line-one", "echo line-two"));
        assertThat(CliRun.in(cli, "apply", "-f", yml.toString(), "-y").exitCode()).isZero();

        assertThat(CliRun.in(cli, "logs", "log-lines", "--replica", "0", "--job", "0").outLines())
                .containsExactly("line-one", "line-two");
        CliRun noJob = CliRun.in(cli, "logs", "log-lines", "--job", "1");
        assertThat(noJob.exitCode()).isEqualTo(1);
        assertThat(noJob.err()).contains("Run log-lines has no job 1 in replica 0");
        CliRun diagnose = CliRun.in(cli, "logs", "log-lines", "--diagnose");
        assertThat(diagnose.exitCode()).as("%s", diagnose).isZero();
        assertThat(diagnose.out()).doesNotContain("line-one");
    }

    @Test
    void stopAndDeleteTakeTheRunNameFromTheConfigurationFile() throws IOException {
        Path yml = file("sleepy.dstack.yml", task("sleepy", "", "echo up", "sleep 600"));
        assertThat(CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "-d").exitCode()).isZero();
        await().atMost(WAIT).until(() -> CliRun.in(cli, "logs", "sleepy").out().contains("up"));

        CliRun stop = CliRun.in(cli, "stop", "-f", yml.toString(), "-y");
        assertThat(stop.exitCode()).as("%s", stop).isZero();
        assertThat(stop.out()).contains("Stopping sleepy");
        await().atMost(WAIT).until(() -> CliRun.in(cli, "ps", "-a").out().matches("(?s).*sleepy .*(stopped|terminated).*"));

        CliRun delete = CliRun.in(cli, "delete", "-f", yml.toString(), "-y");
        assertThat(delete.exitCode()).as("%s", delete).isZero();
        assertThat(delete.out()).contains("Run sleepy deleted");
        CliRun again = CliRun.in(cli, "delete", "-f", yml.toString(), "-y");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("Run sleepy does not exist");

        Path unnamed = file("unnamed.dstack.yml", task(null, "", "true"));
        CliRun noName = CliRun.in(cli, "delete", "-f", unnamed.toString(), "-y");
        assertThat(noName.exitCode()).isEqualTo(1);
        assertThat(noName.err()).contains("Configuration specifies no run to delete");
    }

    @Test
    void offerFiltersNarrowTheOffersAsInAConfiguration() {
        CliRun any = CliRun.in(cli, "offer");
        assertThat(any.exitCode()).as("%s", any).isZero();
        assertThat(any.out()).contains("remote");

        // The local host has no GPU of that name and at most this many CPUs.
        CliRun gpu = CliRun.in(cli, "offer", "--gpu", "H100:80GB:8");
        assertThat(gpu.exitCode()).as("%s", gpu).isZero();
        assertThat(gpu.out()).contains("No offers");
        assertThat(CliRun.in(cli, "offer", "--cpu", "100000..").out()).contains("No offers");
        // The project has no aws backend: the field rule refuses the filter by name (JobFieldSupport) rather than
        // answering "no offers"; with an aws backend configured the offers are listed (CloudOfferCliTest).
        CliRun aws = CliRun.in(cli, "offer", "-b", "aws");
        assertThat(aws.exitCode()).as("%s", aws).isNotZero();
        assertThat(aws.out()).doesNotContain("remote");
        assertThat(aws.err()).contains("`backends`", "aws is not among them");
        assertThat(CliRun.in(cli, "offer", "--cpu", "1..", "--memory", "0GB..", "-b", "remote").out()).contains("remote");

        CliRun bad = CliRun.in(cli, "offer", "--gpu", "A100:4..2");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("invalid offer filter").contains("gpu");
        CliRun both = CliRun.in(cli, "offer", "--spot", "--on-demand");
        assertThat(both.exitCode()).isEqualTo(2);
    }

    @Test
    void applyOverAnActiveRunStopsItAndSubmitsAgainAfterConfirmation() throws IOException {
        Path first = file("override.dstack.yml", task("override-me", "", "echo first-version", "sleep 600"));
        assertThat(CliRun.in(cli, "apply", "-f", first.toString(), "-y", "-d").exitCode()).isZero();
        await().atMost(WAIT).until(() -> CliRun.in(cli, "logs", "override-me").out().contains("first-version"));

        CliRun same = CliRun.in(cli, "apply", "-f", first.toString(), "-y", "-d");
        assertThat(same.exitCode()).as("%s", same).isZero();
        assertThat(same.out()).contains("Active run override-me already exists. Detected no changes.",
                "Use --force to apply anyway.");

        Path changed = file("override.dstack.yml", task("override-me", "", "echo second-version"));
        CliRun refused = CliRun.in(cli.withStdin(new java.io.BufferedReader(new java.io.StringReader("n\n"))),
                "apply", "-f", changed.toString(), "-d");
        assertThat(refused.out()).contains("Active run override-me already exists. Detected changes that cannot be"
                + " updated in-place:", "  - configuration.commands", "Stop and override the run? [y/n]: ", "Exiting...");
        assertThat(CliRun.in(cli, "ps").out()).containsPattern("override-me .*running");

        CliRun override = CliRun.in(cli, "apply", "-f", changed.toString(), "-y");
        assertThat(override.exitCode()).as("%s", override).isZero();
        assertThat(override.out()).contains("Stopping run override-me...", "Submitted override-me", "second-version");
        assertThat(CliRun.in(cli, "logs", "override-me").outLines()).containsExactly("second-version");
    }

    @Test
    void applyUploadsTheFilesOfTheConfigurationIntoTheJob() throws IOException {
        Path data = Files.createDirectories(dir.resolve("project/data"));
        Files.writeString(data.resolve("rows.csv"), "x,y\n");
        Files.writeString(dir.resolve("project/notes.txt"), "read me\n");
        Path yml = file("project/files.dstack.yml", task("with-files", "files:\n  - data:inputs/data\n  - notes.txt\n",
                "cat inputs/data/rows.csv notes.txt"));

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("x,y", "read me");

        Path missing = file("project/missing.dstack.yml", task("no-files", "files:\n  - nowhere:/x\n", "true"));
        CliRun refused = CliRun.in(cli, "apply", "-f", missing.toString(), "-y");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("specified in `files` does not exist");
    }

    @Test
    void initRegistersTheClonesRemoteWithDstacksRepoId() throws Exception {
        Path clone = Files.createDirectories(dir.resolve("clone"));
        for (List<String> git : List.of(List.of("git", "init", "-q"),
                List.of("git", "remote", "add", "origin", "https://github.com/dstackai/dstack.git"))) {
            Process process = new ProcessBuilder(git).directory(clone.toFile()).redirectErrorStream(true).start();
            assertThat(process.waitFor()).isZero();
        }

        CliRun init = CliRun.in(cli, "init", "-P", clone.toString(), "--token", "gh-secret");

        assertThat(init.exitCode()).as("%s", init).isZero();
        assertThat(init.out()).isEqualTo("OK\n");
        java.net.http.HttpResponse<String> repo = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + "/api/project/main/repos/get"))
                        .header("Authorization", "Bearer " + server.engine().adminToken())
                        // dstack's id for github.com/dstackai/dstack, computed with dstack's own slugify.
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                "{\"repo_id\":\"dstack-nizdmsg0\",\"include_creds\":true}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(repo.statusCode()).as(repo.body()).isEqualTo(200);
        assertThat(repo.body()).contains("\"repo_name\":\"dstack\"", "\"clone_url\":\"https://github.com/dstackai/dstack.git\"",
                "\"oauth_token\":\"gh-secret\"");

        CliRun notAClone = CliRun.in(cli, "init", "-P", Files.createDirectories(dir.resolve("plain")).toString());
        assertThat(notAClone.exitCode()).isEqualTo(1);
        assertThat(notAClone.err()).contains("is not a Git repo with a remote");
    }
}
