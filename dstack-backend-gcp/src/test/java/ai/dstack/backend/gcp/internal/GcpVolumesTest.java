package ai.dstack.backend.gcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.volume.Volume;
import ai.dstack.api.volume.VolumeStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.gcp.testing.FakeGce;
import ai.dstack.backend.gcp.testing.FakeGceProject;
import ai.dstack.backend.gcp.testing.GcpTestBackends;
import ai.dstack.backend.ssh.internal.SshConnector;
import ai.dstack.backend.ssh.internal.SshSettings;
import ai.dstack.backend.ssh.testing.FakeVmDiskTools;
import ai.dstack.core.DstackEngine;
import ai.dstack.spi.backend.BackendConfiguration;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A persistent disk end to end on the fake GCE, through the embedded client: created active in its zone, attached to
 * the run's VM (made in that zone), mounted under its {@code google-} device name, seen by the job, detached when the
 * job ends and deleted from the project when the user deletes it.
 */
class GcpVolumesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final FakeGce gce = FakeGce.shared();
    private FakeGceProject project;
    private DstackEngine engine;

    @BeforeEach
    void setUp() {
        project = gce.newProject().onVmStart(vm -> FakeVmDiskTools.install(vm.home()));
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aPersistentDiskIsCreatedAttachedMountedSeenByTheJobDetachedAndDeleted() throws Exception {
        SshSettings ssh = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false)
                .sweepInterval(Duration.ofMillis(200))
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), ssh)).build();
        BackendConfiguration c = GcpTestBackends.configuration(project, engine.defaultProject(), null);
        ObjectNode json = c.config().deepCopy();
        json.set("creds", c.creds());
        engine.app().createBackend(engine.app().authenticate(engine.adminToken()), engine.defaultProject(), json);

        Volume created = engine.createVolume(engine.defaultProject(), DstackYaml.parse("type: volume\nname: disk\n"
                + "backend: gcp\nregion: us-central1\navailability_zone: us-central1-c\nsize: 30\n", "vol.dstack.yml",
                VolumeConfiguration.class));
        assertThat(created.status()).isEqualTo(VolumeStatus.SUBMITTED);
        await().atMost(WAIT).until(() -> engine.getVolume(engine.defaultProject(), "disk").status()
                == VolumeStatus.ACTIVE);
        Volume active = engine.getVolume(engine.defaultProject(), "disk");
        String diskName = active.volumeId();
        assertThat(project.diskNames()).containsExactly(diskName);
        assertThat(active.provisioningData().availabilityZone()).isEqualTo("us-central1-c");

        Run run = engine.applyRun(DstackYaml.parse("type: task\nname: on-disk\nvolumes: [disk:/workflow/disk]\n"
                + "commands:\n  - cat disk/MOUNTED_DEVICE\n  - while [ ! -f disk/go ]; do sleep 0.2; done\n",
                "task.dstack.yml", TaskConfiguration.class));
        await().atMost(WAIT).untilAsserted(() -> assertThat(engine.getVolume(engine.defaultProject(), "disk")
                .attachments()).hasSize(1));
        FakeGceProject.Vm vm = project.vms().get(0);
        assertThat(vm.zone).isEqualTo("us-central1-c");
        assertThat(project.disk(diskName).path("users").toString()).contains(vm.name);
        Path vmHome = vm.ssh().home();
        Path mountDir = vmHome.resolve(".dstack-jvm/volumes/disk");
        await().atMost(WAIT).until(() -> Files.exists(mountDir.resolve("MOUNTED_DEVICE")));
        Files.writeString(mountDir.resolve("go"), "");
        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);
        assertThat(done.status()).as(String.valueOf(done.latestJobSubmission().terminationReasonMessage()))
                .isEqualTo(RunStatus.DONE);
        String device = "/dev/disk/by-id/google-" + diskName;
        assertThat(engine.pollLogs(engine.defaultProject(), "on-disk").logs()).extracting(LogEvent::text)
                .containsExactly(device + "\n");
        assertThat(FakeVmDiskTools.commands(vmHome)).containsSubsequence("sudo mkfs.ext4 -q " + device,
                "sudo mount " + device + " " + mountDir);
        assertThat(gce.requests(project)).anyMatch(r -> r.endsWith("/attachDisk"))
                .anyMatch(r -> r.contains("/detachDisk"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(engine.getVolume(engine.defaultProject(), "disk").attachments()).isEmpty();
            assertThat(project.disk(diskName).has("users")).isFalse();
        });

        engine.deleteVolumes(engine.defaultProject(), List.of("disk"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(project.diskNames()).isEmpty();
            assertThat(engine.listVolumes(engine.defaultProject())).isEmpty();
        });
    }
}
