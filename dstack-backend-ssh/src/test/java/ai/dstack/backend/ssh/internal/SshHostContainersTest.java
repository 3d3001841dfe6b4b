package ai.dstack.backend.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.testing.HeldImageRegistry;
import ai.dstack.core.testing.PodmanTestImage;
import ai.dstack.api.run.JobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SSH host's own GPUs and container runtime, probed over SSH when it is added: the MINA host runs its shells on
 * this machine, with a fake {@code nvidia-smi} on its PATH and this machine's podman as its runtime. The engine's
 * own host has no runtime ({@code none}), so only the SSH host's can make a job with an image acceptable.
 */
class SshHostContainersTest {
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** podman, with NVIDIA's CDI names ({@code --device nvidia.com/gpu=N}) turned into variables {@code CDI_GPU_N}. */
    private static final String CDI_PODMAN = """
            #!/bin/bash
            args=()
            while [ $# -gt 0 ]; do
              if [ "$1" = --device ] && [ "${2#nvidia.com/gpu=}" != "$2" ]; then
                args+=(-e "CDI_GPU_${2#nvidia.com/gpu=}=1"); shift 2
              else
                args+=("$1"); shift
              fi
            done
            exec /usr/bin/podman "${args[@]}"
            """;

    @TempDir
    Path dir;

    private DstackEngine engine;
    private TestSshServer host;
    private String container;
    private HeldImageRegistry registry;

    @AfterEach
    void close() throws Exception {
        if (registry != null) {
            registry.release();
        }
        if (engine != null) {
            engine.close();
        }
        if (registry != null) {
            registry.close();
        }
        if (host != null) {
            host.close();
        }
        if (container != null) { // whatever happened, no container is left behind
            new ProcessBuilder("podman", "rm", "-f", "-i", container).redirectErrorStream(true).start()
                    .waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void theHostsGpusAndPodmanAreProbedAndAJobWithAnImageRunsInItsContainer() throws Exception {
        String image = PodmanTestImage.require();
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        host = TestSshServer.start(Files.createDirectories(dir.resolve("host")), Path.of(key + ".pub"));
        Path nvidiaSmi = Files.createDirectories(host.home().resolve("bin")).resolve("nvidia-smi");
        Files.writeString(nvidiaSmi, "#!/bin/sh\nprintf 'NVIDIA L4, 23034\\nNVIDIA L4, 23034\\n'\n");
        Files.setPosixFilePermissions(nvidiaSmi, PosixFilePermissions.fromString("rwxr-xr-x"));
        // This machine has no NVIDIA CDI spec: the host's podman stands in for it, a GPU becoming a variable.
        Path podman = host.home().resolve("bin/podman");
        Files.writeString(podman, CDI_PODMAN);
        Files.setPosixFilePermissions(podman, PosixFilePermissions.fromString("rwxr-xr-x"));
        SshSettings settings = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false).containerRuntime("none")
                .sweepInterval(Duration.ofMillis(200)).keepFinishedJobFiles(true)
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), settings)).build();
        String task = "type: task\nname: boxed\nimage: " + image + "\nprivileged: true\ncommands:\n"
                + "  - test -f /run/.containerenv && echo in a container\n  - echo gpus=$DSTACK_GPUS_PER_NODE\n"
                + "  - echo cuda=$CUDA_VISIBLE_DEVICES cdi=$(env | grep -o '^CDI_GPU_[0-9]*' | sort | paste -sd,)\n"
                + "  - echo mpi=$DSTACK_MPI_HOSTFILE $(cat $DSTACK_MPI_HOSTFILE)\n";
        assertThatThrownBy(() -> engine.applyRun(DstackYaml.parse(task, "task.dstack.yml", TaskConfiguration.class)))
                .as("no host with a runtime yet").isInstanceOf(DstackException.class).hasMessageContaining("privileged");

        engine.applyFleet(DstackYaml.parse("type: fleet\nname: boxes\nssh_config:\n  user: ubuntu\n  identity_file: "
                + key + "\n  hosts:\n    - {hostname: 127.0.0.1, port: " + host.port() + ", blocks: 1}\n",
                "fleet.dstack.yml", FleetConfiguration.class));
        Fleet fleet = await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), "boxes"),
                f -> f.instances().size() == 1 && f.instances().get(0).status() == InstanceStatus.IDLE);
        Instance instance = fleet.instances().get(0);
        assertThat(instance.instanceType().resources().gpus()).hasSize(2)
                .allSatisfy(gpu -> assertThat(gpu.name()).isEqualTo("L4"));

        Run run = engine.applyRun(DstackYaml.parse(task, "task.dstack.yml", TaskConfiguration.class));
        container = ai.dstack.spi.host.ShellJobProtocol.containerName(
                engine.getRun(engine.defaultProject(), "boxed").jobs().get(0).latestSubmission().id().toString());
        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);

        List<String> lines = engine.pollLogs(engine.defaultProject(), "boxed").logs().stream().map(LogEvent::text)
                .filter(line -> line.matches("(in|gpus=|cuda=|mpi=).*\n")).toList();
        assertThat(done.status()).as("%s", done.latestJobSubmission()).isEqualTo(RunStatus.DONE);
        assertThat(lines).containsExactly("in a container\n", "gpus=2\n", "cuda=0,1 cdi=CDI_GPU_0,CDI_GPU_1\n",
                "mpi=/dstack/mpi/hostfile 127.0.0.1 slots=2\n");
        assertThat(host.home().resolve(".dstack-jvm/jobs")).as("the job ran on the SSH host")
                .isDirectoryContaining(p -> !p.getFileName().toString().startsWith("."));
    }

    @Test
    void aJobIsPullingWhileTheSshHostsRuntimeFetchesItsImageWithProgressInItsLogsThenRuns() throws Exception {
        registry = new HeldImageRegistry(Files.createDirectories(dir.resolve("registry")));
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        host = TestSshServer.start(Files.createDirectories(dir.resolve("host")), Path.of(key + ".pub"))
                .environment("CONTAINERS_REGISTRIES_CONF", registry.registriesConf().toString());
        SshSettings settings = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false).containerRuntime("none")
                .sweepInterval(Duration.ofMillis(200))
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), settings)).build();
        engine.applyFleet(DstackYaml.parse("type: fleet\nname: boxes\nssh_config:\n  user: ubuntu\n  identity_file: "
                + key + "\n  hosts:\n    - {hostname: 127.0.0.1, port: " + host.port() + "}\n",
                "fleet.dstack.yml", FleetConfiguration.class));
        await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), "boxes").instances(),
                list -> list.size() == 1 && list.get(0).status() == InstanceStatus.IDLE);

        engine.applyRun(DstackYaml.parse("type: task\nname: pulled\nimage: " + registry.image()
                + "\ncommands:\n  - cat /etc/pulled\n", "task.dstack.yml", TaskConfiguration.class));
        await().atMost(WAIT).untilAsserted(() -> assertThat(engine.getRun(engine.defaultProject(), "pulled").jobs()
                .get(0).latestSubmission().status()).as("registry requests %s", registry.requests())
                .isEqualTo(JobStatus.PULLING));
        // podman is at the registry, whose blobs are held: the job is still pulling.
        await().atMost(WAIT).until(() -> registry.requests().stream().anyMatch(r -> r.contains("/blobs/")));
        assertThat(engine.getRun(engine.defaultProject(), "pulled").jobs().get(0).latestSubmission().status())
                .isEqualTo(JobStatus.PULLING);
        registry.release();
        Run done = engine.awaitFinished("pulled", WAIT);

        List<String> lines = engine.pollLogs(engine.defaultProject(), "pulled").logs().stream().map(LogEvent::text)
                .toList();
        assertThat(done.status()).as("%s", lines).isEqualTo(RunStatus.DONE);
        assertThat(lines).contains(HeldImageRegistry.PULLED + "\n");
        assertThat(String.join("", lines)).as("podman's pull progress").contains("Copying config", "Writing manifest");
    }
}
