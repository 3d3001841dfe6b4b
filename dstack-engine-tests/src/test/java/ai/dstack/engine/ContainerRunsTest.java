package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.files.FileArchive;
import ai.dstack.api.run.FileArchiveMapping;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import ai.dstack.client.TarWriter;
import ai.dstack.core.testing.PodmanTestImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs with `image:` through the engine on a host with podman: dstack's container fields take effect. */
class ContainerRunsTest {
    @TempDir Path dir;
    String image;
    DstackClient client;
    DstackProject main;

    @BeforeEach
    void setUp() throws Exception {
        image = PodmanTestImage.require();
        client = Dstack.connect(Map.of(Dstack.MODE, "embedded", "dstack.server-dir", dir.resolve("server").toString(),
                "dstack.local-blocks", "4", Dstack.PROJECT, "main"));
        main = client.project();
    }

    @AfterEach
    void tearDown() {
        if (client != null) {
            client.close();
        }
    }

    List<String> follow(Run run, List<String> lines) throws Exception {
        main.followLogs(run.runSpec().runName(),
                event -> lines.addAll(new String(event.messageBytes(), StandardCharsets.UTF_8).lines().toList()));
        return lines;
    }

    @Test
    void aTaskWithImageGetsItsVolumesWorkingDirPrivilegesShmAndExitCode() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("in.txt"), "on the host\n");
        TaskConfiguration task = DstackYaml.parse("""
                type: task
                image: %s
                privileged: true
                working_dir: src
                env:
                  - GREETING=hello
                volumes:
                  - %s:/data
                  - instance_path: %s
                    path: /opt/optional
                    optional: true
                resources:
                  shm_size: 64MB
                commands:
                  - echo "pwd=$(pwd) dir=$DSTACK_WORKING_DIR $GREETING"
                  - cat /data/in.txt
                  - echo from-the-job > /data/out.txt
                  - test ! -e /opt/optional && echo optional-skipped
                  - grep CapEff /proc/self/status
                  - df -k /dev/shm | tail -1 | tr -s ' ' | cut -d' ' -f2
                  - exit 3
                """.formatted(image, data, dir.resolve("missing")), "container.dstack.yml", TaskConfiguration.class);

        Run run = main.applyRun(main.getRunPlan(RunSpec.newBuilder().configuration(task).build()));
        List<String> lines = follow(run, new ArrayList<>());
        Run finished = main.getRun(run.runSpec().runName());

        assertThat(finished.status()).as(String.join("\n", lines)).isEqualTo(RunStatus.FAILED);
        JobSubmission job = EngineContractTest.latest(finished);
        assertThat(job.exitStatus()).isEqualTo(3);
        assertThat(lines).contains("pwd=/workflow/src dir=/workflow/src hello", "on the host", "optional-skipped",
                "65536");
        long caps = Long.parseLong(lines.stream().filter(l -> l.startsWith("CapEff")).findFirst().orElseThrow()
                .split("\\s+")[1], 16);
        assertThat(caps & (1L << 21)).as("CAP_SYS_ADMIN of a privileged container").isNotZero();
        assertThat(data.resolve("out.txt")).hasContent("from-the-job");
    }

    @Test
    void filesWithAbsoluteTargetsOutsideTheRepoDirAreCopiedIntoPlaceInTheContainer() throws Exception {
        Path data = Files.writeString(dir.resolve("in.txt"), "copied into place\n");
        FileArchive archive = main.client().uploadArchive(new TarWriter().add(data, "in.txt").toByteArray());
        TaskConfiguration task = DstackYaml.parse("""
                type: task
                image: %s
                files:
                  - in.txt:/opt/data/in.txt
                commands:
                  - cat /opt/data/in.txt
                  - echo "entries=$(ls -A /workflow | wc -l)"
                """.formatted(image), "files.dstack.yml", TaskConfiguration.class);
        RunSpec spec = RunSpec.newBuilder().configuration(task)
                .fileArchives(List.of(new FileArchiveMapping(archive.id(), "/opt/data/in.txt"))).build();

        Run run = main.applyRun(main.getRunPlan(spec));
        List<String> lines = follow(run, new ArrayList<>());

        assertThat(main.getRun(run.runSpec().runName()).status()).as(String.join("\n", lines)).isEqualTo(RunStatus.DONE);
        assertThat(lines).as("the file at its target, nothing left in the repo directory")
                .containsExactly("copied into place", "entries=0");
    }

    @Test
    void containerOnlyFieldsWithoutImageAreStillRefusedNamingTheField() {
        TaskConfiguration task = DstackYaml.parse("type: task\nprivileged: true\ncommands: [id]\n",
                "bare.dstack.yml", TaskConfiguration.class);

        DstackException refused = catchThrowableOfType(
                () -> main.getRunPlan(RunSpec.newBuilder().configuration(task).build()), DstackException.class);

        assertThat(refused.getMessage()).contains("`privileged`: ").contains("podman")
                .contains("run a job without `image` directly on the host").contains("or add `image`");
    }
}
