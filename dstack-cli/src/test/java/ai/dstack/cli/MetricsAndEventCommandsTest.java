package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.MetricsSettings;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.core.internal.host.LocalResourceDetector;
import ai.dstack.server.DstackServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dstack metrics} and {@code dstack event} against a real server running a real job with a fake nvidia-smi. */
class MetricsAndEventCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;

    @BeforeAll
    static void start() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho '40, 1024, 81920'\necho '60, 2048, 81920'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new LinkedHashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        env.put("PATH", bin + ":" + env.get("PATH"));
        Path home = dir.resolve("server");
        server = DstackServer.builder().port(0).engine(DstackEngine.builder().serverDirectory(home).localBlocks(8)
                        .sweepInterval(Duration.ofMillis(200))
                        .metrics(MetricsSettings.DSTACK.withCollectInterval(Duration.ofMillis(200)))
                        .hostExecutor(new LocalHostExecutor(home.resolve("local").resolve("jobs"), env),
                                new LocalResourceDetector(home).detect()))
                .build().start();
        cli = TestServers.cliFor(server, dir.resolve("home"));
        server.engine().applyRun(DstackYaml.parse("type: task\nname: watched\ncommands:\n  - sleep 120\n",
                "watched.dstack.yml", TaskConfiguration.class));
    }

    @AfterAll
    static void stop() {
        server.engine().stopRuns("main", java.util.List.of("watched"), false);
        server.close();
    }

    @Test
    void metricsPrintsTheJobsCpuMemoryAndOneLinePerGpu() {
        await().atMost(WAIT).untilAsserted(() -> {
            CliRun metrics = CliRun.in(cli, "metrics", "watched");
            assertThat(metrics.exitCode()).as("%s", metrics).isZero();
            assertThat(metrics.out()).contains("NAME", "STATUS", "CPU", "MEMORY", "GPU");
            assertThat(metrics.out()).containsPattern("watched +running +\\d+% +\\d+(\\.\\d+)?[MG]B/\\d+(\\.\\d+)?GB +"
                    + "gpu=0 mem=1GB/80GB util=40%");
            assertThat(metrics.out()).containsPattern("\n +gpu=1 mem=2GB/80GB util=60%");
        });
        CliRun watched = CliRun.in(cli, "metrics", "watched", "-w", "--watch-count", "2");
        assertThat(watched.exitCode()).as("%s", watched).isZero();
        assertThat(watched.out().split("NAME", -1)).hasSize(3);

        CliRun missing = CliRun.in(cli, "metrics", "no-such-run");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("Error");
    }

    @Test
    void eventPrintsTheRunsLifeWithActorsAndTargets() {
        await().atMost(WAIT).untilAsserted(() -> {
            CliRun events = CliRun.in(cli, "event", "--within-run", "watched");
            assertThat(events.exitCode()).as("%s", events).isZero();
            assertThat(events.out()).containsPattern(
                    "\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d] \\[\uD83D\uDC64admin] \\[run watched] Run submitted\\. Status: SUBMITTED");
            assertThat(events.out()).contains("[job watched-0-0] Job status changed SUBMITTED -> PROVISIONING",
                    "[job watched-0-0] Job status changed PROVISIONING -> RUNNING");
        });
        CliRun list = CliRun.in(cli, "event", "list", "--since", "1h");
        assertThat(list.exitCode()).as("%s", list).isZero();
        assertThat(list.out()).contains("[run watched] Run submitted. Status: SUBMITTED");
        CliRun future = CliRun.in(cli, "event", "--since", "2099-01-01T00:00:00Z");
        assertThat(future.exitCode()).as("%s", future).isZero();
        assertThat(future.out()).isEmpty();
        CliRun watch = CliRun.in(cli, "event", "--target-run", "watched", "-w", "--watch-count", "2");
        assertThat(watch.exitCode()).as("%s", watch).isZero();
        assertThat(watch.out()).contains("Run submitted").doesNotContain("[job ");
    }
}
