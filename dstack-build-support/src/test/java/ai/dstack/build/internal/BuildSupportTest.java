package ai.dstack.build.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What both plugins do, against a real server on loopback running real local jobs. A failing run, detach and stop
 * are covered through the plugins (MojoGoalsTest, DstackPluginTest).
 */
class BuildSupportTest {
    @TempDir
    static Path dir;
    static DstackServer server;

    @BeforeAll
    static void startServer() {
        server = DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(4)
                        .sweepInterval(Duration.ofMillis(200)))
                .port(0).build().start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private static ConnectionSettings settings() {
        return new ConnectionSettings(server.url(), server.engine().adminToken(), null, null, null);
    }

    @Test
    void findsConfigurationsOutsideBuildOutputsAndHiddenDirectories() throws Exception {
        Path project = Files.createDirectories(dir.resolve("find"));
        for (String file : List.of(".dstack.yml", "ml/train.dstack.yml", "target/copied.dstack.yml",
                ".git/x.dstack.yml", "build/y.dstack.yml", "notes.yml")) {
            Files.createDirectories(project.resolve(file).getParent());
            Files.writeString(project.resolve(file), "type: task\ncommands: [echo]\n");
        }
        assertThat(ConfigurationFiles.find(project))
                .containsExactly(project.resolve(".dstack.yml"), project.resolve("ml/train.dstack.yml"));
    }

    @Test
    void reportsEachProblemWithFileLineAndField() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.dstack.yml"), "type: task\ncomands: [echo hi]\n");
        assertThat(ConfigurationFiles.problems(file, "bad.dstack.yml"))
                .singleElement().asString()
                .startsWith("bad.dstack.yml:2:")
                .contains("task.comands:")
                .contains("did you mean 'commands'?");
        assertThat(ConfigurationFiles.problems(dir.resolve("absent.dstack.yml"), "absent.dstack.yml"))
                .containsExactly("absent.dstack.yml: no such file");
    }

    @Test
    void appliesATaskAndStreamsItsOutputThenListsAndShowsItsLogs() throws Exception {
        Path file = Files.writeString(dir.resolve("hello.dstack.yml"),
                "type: task\nname: build-hello\ncommands:\n  - echo hello from the build\n  - echo second line\n");
        List<String> out = new CopyOnWriteArrayList<>();
        try (DstackClient client = settings().connect()) {
            DstackProject project = client.project();
            Run run = new RunApplier(project, out::add).apply(file, "hello.dstack.yml", null, false);
            assertThat(run.status()).isEqualTo(RunStatus.DONE);
            assertThat(out).contains("Submitted build-hello to project main", "hello from the build", "second line");

            List<String> listed = new CopyOnWriteArrayList<>();
            RunCommands commands = new RunCommands(project, listed::add);
            assertThat(commands.ps(true)).extracting(r -> r.runSpec().runName()).contains("build-hello");
            commands.logs("build-hello", false);
            assertThat(listed).contains("hello from the build", "second line");
            assertThat(commands.offers(null, null, 3)).isNotEmpty();
        }
    }

    @Test
    void settingsThatCannotWorkSayWhichToFix() {
        assertThatThrownBy(() -> new ConnectionSettings("http://127.0.0.1:1", null, null, null, null).connect())
                .isInstanceOf(DstackBuildException.class).hasMessageContaining("token is not");
        assertThatThrownBy(() -> new ConnectionSettings(null, null, null, dir.resolve("no-config.yml"), null).connect())
                .isInstanceOf(DstackBuildException.class).hasMessageContaining("no-config.yml");
    }

    @Test
    void anInvalidFileIsNotApplied() throws Exception {
        Path file = Files.writeString(dir.resolve("typo.dstack.yml"), "type: task\ncommands: [echo]\nnmae: x\n");
        try (DstackClient client = settings().connect()) {
            assertThatThrownBy(() -> new RunApplier(client.project(), line -> {}).apply(file, "typo.dstack.yml", null, false))
                    .hasMessageContaining("typo.dstack.yml:3:", "task.nmae");
        }
    }
}
