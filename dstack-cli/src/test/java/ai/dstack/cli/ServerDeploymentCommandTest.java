package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.cli.internal.CliEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dstack server} with dstack's deployment variables: Litestream beside the server, log storage settings. */
class ServerDeploymentCommandTest {
    static final String REPLICA = "s3://dstack-backups/server";

    @TempDir
    Path dir;

    /** A stand-in {@code litestream} that records its arguments and runs {@code replicate} until SIGTERM. */
    Path installStandInLitestream() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = bin.resolve("litestream");
        Files.writeString(script, """
                #!/bin/sh
                echo "$*" >> "$LITESTREAM_RECORD"
                if [ "$1" = replicate ]; then
                  trap 'echo stopped >> "$LITESTREAM_RECORD"; exit 0' TERM
                  while true; do sleep 0.1; done
                fi
                """);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    List<String> calls() throws IOException {
        Path record = dir.resolve("calls.txt");
        return Files.exists(record) ? Files.readAllLines(record) : List.of();
    }

    @Test
    void withAReplicaUrlTheServerRestoresThenReplicatesItsSqliteFileAndStopsLitestreamWithIt() throws Exception {
        Path bin = installStandInLitestream();
        Path serverDir = dir.resolve("server");
        Path database = serverDir.resolve("data").resolve("sqlite.db");
        CliEnvironment environment = new CliEnvironment(Map.of(
                "DSTACK_SERVER_DIR", serverDir.toString(),
                "LITESTREAM_REPLICA_URL", REPLICA,
                "LITESTREAM_RECORD", dir.resolve("calls.txt").toString(),
                "PATH", bin + ":/usr/bin:/bin"), dir.resolve("home"), null, false);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread server = new Thread(() -> exitCode.set(Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                environment, "server", "--port", "0", "-n", "-l", "WARNING")));
        server.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> out.toString().contains("The server is running at"));
            await().atMost(Duration.ofSeconds(20)).until(() -> calls().size() == 2);
            assertThat(calls()).containsExactly(
                    "restore -if-replica-exists -o " + database + " " + REPLICA,
                    "replicate " + database + " " + REPLICA);
        } finally {
            server.interrupt();
            server.join(30_000);
        }
        assertThat(exitCode.get()).as(err.toString()).isZero();
        assertThat(calls()).last().isEqualTo("stopped");
    }

    @Test
    void aReplicaUrlWithoutLitestreamInstalledIsOneClearError() {
        CliEnvironment environment = new CliEnvironment(Map.of(
                "DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "LITESTREAM_REPLICA_URL", REPLICA,
                "PATH", dir.toString()), dir.resolve("home"), null, false);

        CliRun run = CliRun.in(environment, "server", "--port", "0");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Error: LITESTREAM_REPLICA_URL is set but there is no litestream "
                + "executable on PATH (" + dir + "): install Litestream (https://litestream.io/install) or unset "
                + "LITESTREAM_REPLICA_URL");
    }

    @Test
    void aCloudWatchRegionWithoutALogGroupIsAUsageError() {
        CliEnvironment environment = new CliEnvironment(Map.of(
                "DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "DSTACK_SERVER_CLOUDWATCH_LOG_REGION", "eu-west-1"), dir.resolve("home"), null, false);

        CliRun run = CliRun.in(environment, "server", "--port", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("Error: DSTACK_SERVER_CLOUDWATCH_LOG_REGION is set but "
                + "DSTACK_SERVER_CLOUDWATCH_LOG_GROUP is not: set the log group too, or unset the region");
    }
}
