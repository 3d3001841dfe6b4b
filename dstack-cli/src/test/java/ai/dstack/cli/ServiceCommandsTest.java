package ai.dstack.cli;

import java.util.List;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.core.internal.services.ServiceNetwork;
import ai.dstack.server.DstackServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dstack apply} and {@code dstack ps} with services: their URL, their replicas and probes, updates. */
class ServiceCommandsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SMALL = "resources:\n  cpu: 0..\n  memory: 0GB..\n  disk: 0GB..\n";

    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(ServiceNetwork.namespacesWork(), "replicas on one port need network namespaces");
        server = TestServers.builder(dir).build().start();
        cli = TestServers.cliFor(server, dir.resolve("home"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            // Jobs outlive a closed engine by design: stop them first so that no replica is left behind.
            var engine = server.engine();
            engine.project("main").listRuns().stream().filter(run -> !run.status().isFinished())
                    .forEach(run -> engine.stopRuns("main", List.of(run.runSpec().runName()), true));
            await().atMost(WAIT).until(() -> engine.project("main").listRuns().stream()
                    .allMatch(run -> run.status().isFinished()));
            server.close();
        }
    }

    private static Path service(String name, String extra, String command) throws IOException {
        return Files.writeString(dir.resolve(name + ".dstack.yml"), "type: service\nname: " + name + "\n" + SMALL
                + "port: 8000\n" + extra + "commands:\n  - '" + command.replace("'", "''") + "'\n");
    }

    @Test
    void applyAnnouncesTheServiceOnceItIsUpAndFollowsItsOutput() throws IOException {
        Path yml = service("brief", "auth: false\n", "echo serving; python3 -c 'import http.server,threading;"
                + " s=http.server.ThreadingHTTPServer((\"\",8000),http.server.SimpleHTTPRequestHandler);"
                + " threading.Timer(3,s.shutdown).start(); s.serve_forever()'");

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("Submitted brief",
                "Service is published at " + server.url() + "/proxy/services/main/brief/", "serving");
        assertThat(apply.out().indexOf("Service is published")).isLessThan(apply.out().indexOf("serving"));
    }

    @Test
    void psShowsTheUrlEachReplicaAndItsProbesAndApplyUpdatesInPlace() throws IOException {
        String probes = "replicas: 2\nprobes:\n  - type: http\n    url: /\n    interval: 1s\n";
        Path yml = service("web", probes + "env:\n  - V=1\n", "python3 -m http.server 8000");

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "-d");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("Service is published at " + server.url() + "/proxy/services/main/web/");

        await().atMost(WAIT).until(() -> CliRun.in(cli, "ps").out().lines().filter(l -> l.contains("✓")).count() == 2);
        CliRun ps = CliRun.in(cli, "ps");
        assertThat(ps.outLines().get(0)).matches("NAME +BACKEND +GPU +PRICE +STATUS +PROBES +SUBMITTED +URL");
        assertThat(ps.out()).containsPattern("web .*running .*" + server.url() + "/proxy/services/main/web/")
                .containsPattern("  replica=0 .*running +✓ ")
                .containsPattern("  replica=1 .*running +✓ ");

        Path changed = service("web", probes + "env:\n  - V=2\n", "python3 -m http.server 8000");
        CliRun update = CliRun.in(cli, "apply", "-f", changed.toString(), "-y");
        assertThat(update.exitCode()).as("%s", update).isZero();
        assertThat(update.out()).contains("Updated web (deployment 1)");

        Path incompatible = service("web", probes + "auth: false\nenv:\n  - V=2\n", "python3 -m http.server 8000");
        CliRun refused = CliRun.in(cli.withStdin(new java.io.BufferedReader(new java.io.StringReader("n\n"))),
                "apply", "-f", incompatible.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.out()).contains("Detected changes that cannot be updated in-place:",
                "Stop and override the run? [y/n]: ", "Exiting...");
        assertThat(CliRun.in(cli, "stop", "web", "-y").exitCode()).isZero();
    }
}
