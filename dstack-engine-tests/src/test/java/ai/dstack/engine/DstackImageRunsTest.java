package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.DstackProject;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.JobImages;
import ai.dstack.core.testing.PodmanTestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `python:`, `nvcc:` and `docker: true` without `image:` on a host with podman run in dstack's base image (the
 * `-base-` or `-devel-` tag) or its Docker-in-Docker image, named by the server's image settings. No registry is
 * reachable, so the test builds those images locally from the test image, each with a marker file naming itself,
 * under the names the jobs ask for: podman runs them without pulling, and the job's output says which one it ran in.
 */
class DstackImageRunsTest {
    @TempDir Path dir;
    final String suffix = UUID.randomUUID().toString().substring(0, 8);
    final JobImages images = new JobImages("localhost/dstack-jvm-base-" + suffix, "test", "12",
            "localhost/dstack-jvm-dind-" + suffix);
    final List<String> built = new ArrayList<>();
    DstackEngine engine;
    DstackProject main;

    @BeforeEach
    void setUp() throws Exception {
        String testImage = PodmanTestImage.require();
        build(testImage, images.baseImage(false), null);
        build(testImage, images.baseImage(true), null);
        // dstack's DinD image starts its Docker daemon with `start-dockerd`; this one says it ran, and how privileged.
        build(testImage, images.dindImage(), "#!/bin/sh\necho start-dockerd-ran\ngrep CapEff /proc/self/status\n");
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(4).jobImages(images)
                .build();
        main = engine.client(engine.adminToken()).project("main");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (engine != null) {
            engine.close();
        }
        for (String image : built) {
            try {
                podman("rmi", "-f", image);
            } catch (AssertionError e) {
                System.err.println(e.getMessage()); // an image whose build failed
            }
        }
    }

    @Test
    void pythonWithoutImageRunsInTheServersBaseImageWithThatPython() throws Exception {
        List<String> lines = run("""
                type: task
                python: "3.11"
                commands:
                  - cat /etc/dstack-image
                  - python3 --version
                  - echo "dir=$PWD"
                """, RunStatus.DONE);

        assertThat(lines).contains(images.baseImage(false), "Python 3.11.2", "dir=/workflow");
    }

    @Test
    void aPythonTheImageDoesNotHaveFailsTheJobSayingSoInsteadOfRunningAnother() throws Exception {
        List<String> lines = run("type: task\npython: \"3.12\"\ncommands:\n  - python3 --version\n", RunStatus.FAILED);

        assertThat(String.join("\n", lines)).contains("python: " + images.baseImage(false)
                + " has no uv to make a Python 3.12 venv, and its python3 is not Python 3.12");
        assertThat(lines).noneMatch(line -> line.startsWith("Python 3"));
    }

    @Test
    void nvccRunsInTheDevelVariantOfTheBaseImage() throws Exception {
        List<String> lines = run("type: task\nnvcc: true\ncommands:\n  - cat /etc/dstack-image\n", RunStatus.DONE);

        assertThat(lines).contains(images.baseImage(true));
    }

    @Test
    void dockerTrueRunsInTheDindImagePrivilegedAfterStartDockerd() throws Exception {
        List<String> lines = run("type: task\ndocker: true\ncommands:\n  - cat /etc/dstack-image\n", RunStatus.DONE);

        assertThat(lines).contains("start-dockerd-ran", images.dindImage());
        long caps = Long.parseLong(lines.stream().filter(l -> l.startsWith("CapEff")).findFirst().orElseThrow()
                .split("\\s+")[1], 16);
        assertThat(caps & (1L << 21)).as("CAP_SYS_ADMIN of a privileged container").isNotZero();
        assertThat(lines.indexOf("start-dockerd-ran")).isLessThan(lines.indexOf(images.dindImage()));
    }

    private List<String> run(String yaml, RunStatus expected) throws Exception {
        TaskConfiguration task = DstackYaml.parse(yaml, "image.dstack.yml", TaskConfiguration.class);
        Run run = main.applyRun(main.getRunPlan(RunSpec.newBuilder().configuration(task).build()));
        List<String> lines = new ArrayList<>();
        main.followLogs(run.runSpec().runName(),
                event -> lines.addAll(new String(event.messageBytes(), StandardCharsets.UTF_8).lines().toList()));
        Run finished = main.getRun(run.runSpec().runName());
        assertThat(finished.status()).as(String.join("\n", lines)).isEqualTo(expected);
        return lines;
    }

    /** {@code from} with /etc/dstack-image naming {@code name} (and a start-dockerd when given), tagged {@code name}. */
    private void build(String from, String name, String startDockerd) throws Exception {
        Path context = Files.createDirectories(dir.resolve("build-" + built.size()));
        Files.writeString(context.resolve("marker"), name + "\n");
        StringBuilder file = new StringBuilder("FROM " + from + "\nCOPY marker /etc/dstack-image\n");
        if (startDockerd != null) {
            Path script = Files.writeString(context.resolve("start-dockerd"), startDockerd);
            script.toFile().setExecutable(true, false);
            file.append("COPY start-dockerd /usr/local/bin/start-dockerd\n");
        }
        Files.writeString(context.resolve("Containerfile"), file);
        built.add(name);
        podman("build", "-q", "-t", name, context.toString());
    }

    private static void podman(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }
}
