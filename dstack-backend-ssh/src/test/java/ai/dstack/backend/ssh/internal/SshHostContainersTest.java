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
import ai.dstack.core.testing.PodmanTestImage;
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

    @TempDir
    Path dir;

    private DstackEngine engine;
    private TestSshServer host;
    private String container;

    @AfterEach
    void close() throws Exception {
        if (engine != null) {
            engine.close();
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
        SshSettings settings = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false).containerRuntime("none")
                .sweepInterval(Duration.ofMillis(200)).keepFinishedJobFiles(true)
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), settings)).build();
        String task = "type: task\nname: boxed\nimage: " + image + "\nprivileged: true\ncommands:\n"
                + "  - test -f /run/.containerenv && echo in a container\n  - echo gpus=$DSTACK_GPUS_PER_NODE\n";
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
                .filter(line -> line.startsWith("in ") || line.startsWith("gpus=")).toList();
        assertThat(done.status()).as("%s", done.latestJobSubmission()).isEqualTo(RunStatus.DONE);
        assertThat(lines).containsExactly("in a container\n", "gpus=2\n");
        assertThat(host.home().resolve(".dstack-jvm/jobs")).as("the job ran on the SSH host")
                .isDirectoryContaining(p -> !p.getFileName().toString().startsWith("."));
    }
}
