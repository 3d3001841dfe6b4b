package ai.dstack.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.build.testing.InnerMaven;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Like OkHttp's maven-tests: src/it/consumer is an application's own Maven build, outside the reactor, that imports
 * dstack-bom and depends on dstack-embedded (embeds the engine, runs a task) or on dstack-client only (runs a task on
 * the server this test starts). Its own tests check what each dependency brings and leaves out.
 */
class ConsumerBuildIT {
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
    void anApplicationBuildsAgainstTheInstalledArtifactsAndRunsTasks() throws Exception {
        InnerMaven maven = new InnerMaven();
        InnerMaven.Result build = maven.run(maven.project("consumer"), "test",
                "-Ddstack.url=" + server.url(), "-Ddstack.token=" + server.engine().adminToken(),
                "-Ddata.dir=" + dir.resolve("embedded"));

        assertThat(build.exitCode()).as("%s", build).isZero();
        assertThat(build.output())
                .contains("Tests run: 2, Failures: 0, Errors: 0, Skipped: 0", "BUILD SUCCESS")
                .doesNotContain("Tests run: 0");
        assertThat(dir.resolve("embedded/server/data/sqlite.db")).exists();
        try (DstackClient client = Dstack.remote(server.url(), server.engine().adminToken(), "main")) {
            assertThat(client.project().listRuns()).extracting(run -> run.runSpec().runName()).contains("consumer-remote");
        }
    }
}
