package ai.dstack.maven;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.build.testing.InnerMaven;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin's goals in real Maven builds of small projects (src/it, and examples/build/maven), against a real server
 * on loopback.
 */
class MavenPluginIT {
    @TempDir
    static Path dir;
    static DstackServer server;
    static InnerMaven maven;

    @BeforeAll
    static void start() {
        server = DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(4)
                        .sweepInterval(Duration.ofMillis(200)))
                .port(0).build().start();
        maven = new InnerMaven();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String[] against(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "-Ddstack.url=" + server.url();
        all[1] = "-Ddstack.token=" + server.engine().adminToken();
        System.arraycopy(args, 0, all, 2, args.length);
        return all;
    }

    @Test
    void aBadConfigurationFailsTheBuildWithFileLineAndField() throws Exception {
        InnerMaven.Result build = maven.run(maven.project("bad-config"), "validate");

        assertThat(build.exitCode()).as("%s", build).isNotZero();
        assertThat(build.output())
                .containsPattern("\\.dstack\\.yml:3:\\d+: task\\.comands: Extra inputs are not permitted \\(did you mean 'commands'\\?\\)")
                .containsPattern("ml/train\\.dstack\\.yml:5:\\d+: task\\.resources\\.gpu")
                .contains("dstack: 2 problems in the configurations")
                .contains("BUILD FAILURE");
    }

    @Test
    void theExampleProjectValidatesAndAppliesATaskShowingItsOutput() throws Exception {
        Path project = maven.copy(Path.of(System.getProperty("examples.dir"), "build", "maven"), "maven-example");
        InnerMaven.Result apply = maven.run(project, against("validate", "dstack:apply"));

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.output())
                .contains("[INFO] dstack: 1 configuration valid")
                .contains("Submitted maven-hello to project main")
                .contains("[INFO] Hello from a task applied by Maven")
                .contains("[INFO] node 0 of 1")
                .contains("BUILD SUCCESS");
    }
}
