package ai.dstack.gradle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.gradle.api.GradleException;
import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.tasks.CacheableTask;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin applied to real Gradle projects with ProjectBuilder (no Gradle distribution can be downloaded here, so
 * tasks run by calling their actions), against a real server on loopback.
 */
class DstackPluginTest {
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

    /** A project with the plugin applied, its extension pointed at the test's server. */
    private static Project project(String name) throws Exception {
        Path projectDir = Files.createDirectories(dir.resolve(name));
        Project project = ProjectBuilder.builder().withName(name).withProjectDir(projectDir.toFile())
                .withGradleUserHomeDir(dir.resolve("gradle-home").toFile()).build();
        project.getPluginManager().apply("ai.dstack");
        DstackExtension dstack = project.getExtensions().getByType(DstackExtension.class);
        dstack.getUrl().set(server.url());
        dstack.getToken().set(server.engine().adminToken());
        return project;
    }

    /** Runs a task's actions as Gradle would once its dependencies are done. */
    private static void run(Task task) {
        task.getActions().forEach(action -> action.execute(task));
    }

    /** A DstackApply whose output lines the test can read. */
    public abstract static class RecordingApply extends DstackApply {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void log(String line) {
            lines.add(line);
            super.log(line);
        }
    }

    /** A DstackPs whose output lines the test can read. */
    public abstract static class RecordingPs extends DstackPs {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void log(String line) {
            lines.add(line);
        }
    }

    @Test
    void addsTheExtensionAndTasksAndCheckDependsOnValidate() throws Exception {
        Project project = project("tasks");
        assertThat(project.getExtensions().findByName("dstack")).isInstanceOf(DstackExtension.class);
        for (String name : List.of("dstackValidate", "dstackApply", "dstackStop", "dstackLogs", "dstackPs", "dstackOffer")) {
            assertThat(project.getTasks().findByName(name)).as(name).isNotNull();
            assertThat(project.getTasks().getByName(name).getGroup()).isEqualTo("dstack");
        }
        project.getPluginManager().apply("base");
        List<Task> checkNeeds = List.copyOf(project.getTasks().getByName("check").getTaskDependencies().getDependencies(null));
        assertThat(checkNeeds).contains(project.getTasks().getByName("dstackValidate"));
        assertThat(DstackValidate.class).hasAnnotation(CacheableTask.class);
    }

    @Test
    void validateDeclaresItsFilesAndReportAndFailsWithFileLineAndField() throws Exception {
        Project project = project("validate");
        Path root = project.getProjectDir().toPath();
        Files.writeString(root.resolve(".dstack.yml"), "type: task\ncommands: [echo ok]\n");
        Files.createDirectories(root.resolve("ml"));
        Files.writeString(root.resolve("ml/train.dstack.yml"), "type: task\ncommands: [echo]\nresources:\n  gpu: A100:abc\n");
        Files.createDirectories(root.resolve("build/copy"));
        Files.writeString(root.resolve("build/copy/old.dstack.yml"), "nonsense: true\n");

        DstackValidate validate = (DstackValidate) project.getTasks().getByName("dstackValidate");
        assertThat(validate.getInputs().getFiles().getFiles())
                .containsExactlyInAnyOrder(root.resolve(".dstack.yml").toFile(), root.resolve("ml/train.dstack.yml").toFile());
        File report = root.resolve("build/dstack/validate.txt").toFile();
        assertThat(validate.getOutputs().getFiles().getFiles()).containsExactly(report);

        assertThatThrownBy(() -> run(validate)).isInstanceOf(GradleException.class)
                .hasMessageContaining("dstack: 1 problem in the configurations")
                .hasMessageMatching("(?s).*ml/train\\.dstack\\.yml:4:\\d+: task\\.resources\\.gpu.*");
        assertThat(Files.readAllLines(report.toPath())).first().isEqualTo("OK .dstack.yml");

        Files.writeString(root.resolve("ml/train.dstack.yml"), "type: task\ncommands: [echo]\n");
        run(validate);
        assertThat(Files.readAllLines(report.toPath())).containsExactly("OK .dstack.yml", "OK ml/train.dstack.yml");
    }

    @Test
    void aRegisteredApplyTaskStreamsTheRunsOutputAndPsListsIt() throws Exception {
        Project project = project("apply");
        Path file = Files.writeString(project.getProjectDir().toPath().resolve("hello.dstack.yml"),
                "type: task\ncommands:\n  - echo Hello from a task applied by Gradle\n");
        RecordingApply hello = project.getTasks().register("hello", RecordingApply.class,
                task -> {
                    task.getConfigurationFile().set(file.toFile());
                    task.getRunName().set("gradle-hello");
                }).get();
        run(hello);
        assertThat(hello.lines).contains("Submitted gradle-hello to project main", "Hello from a task applied by Gradle");

        RecordingPs ps = project.getTasks().register("listAll", RecordingPs.class, task -> task.getAll().set(true)).get();
        run(ps);
        assertThat(ps.lines).anyMatch(line -> line.matches("gradle-hello +done .*"));
    }

    @Test
    void aFailingRunFailsTheTask() throws Exception {
        Project project = project("failing");
        Files.writeString(project.getProjectDir().toPath().resolve(".dstack.yml"),
                "type: task\nname: gradle-fail\ncommands:\n  - exit 4\n");
        Task apply = project.getTasks().getByName("dstackApply");
        assertThatThrownBy(() -> run(apply)).isInstanceOf(GradleException.class)
                .hasMessageContaining("Run gradle-fail ended failed").hasMessageContaining("exit status 4");
    }

    @Test
    void withoutATokenTheTaskSaysWhatToSet() throws Exception {
        Project project = project("no-token");
        project.getExtensions().getByType(DstackExtension.class).getToken().set((String) null);
        assertThatThrownBy(() -> run(project.getTasks().getByName("dstackPs"))).isInstanceOf(GradleException.class)
                .hasMessageContaining("token is not");
    }
}
