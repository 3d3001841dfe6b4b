package ai.dstack.backend.azure.internal;

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
import ai.dstack.backend.azure.testing.AzureTestBackends;
import ai.dstack.backend.azure.testing.FakeArm;
import ai.dstack.backend.azure.testing.FakeArmSubscription;
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
 * A managed disk end to end on the fake ARM, through the embedded client: created active in its zone, attached to the
 * run's VM (made in that zone) at a LUN, mounted from {@code /dev/disk/azure/scsi1/lun<N>}, seen by the job, detached
 * when the job ends and deleted from the resource group when the user deletes it.
 */
class AzureVolumesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final FakeArm arm = FakeArm.shared();
    private FakeArmSubscription subscription;
    private DstackEngine engine;

    @BeforeEach
    void setUp() {
        subscription = arm.newSubscription().onVmStart(vm -> FakeVmDiskTools.install(vm.home()));
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void aManagedDiskIsCreatedAttachedMountedSeenByTheJobDetachedAndDeleted() throws Exception {
        SshSettings ssh = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false)
                .sweepInterval(Duration.ofMillis(200))
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), ssh)).build();
        BackendConfiguration c = AzureTestBackends.configuration(subscription, engine.defaultProject(), null);
        ObjectNode json = c.config().deepCopy();
        json.set("creds", c.creds());
        engine.app().createBackend(engine.app().authenticate(engine.adminToken()), engine.defaultProject(), json);

        Volume created = engine.createVolume(engine.defaultProject(), DstackYaml.parse("type: volume\nname: disk\n"
                + "backend: azure\nregion: eastus\navailability_zone: \"2\"\nsize: 30\ntags: {team: ml}\n",
                "vol.dstack.yml",
                VolumeConfiguration.class));
        assertThat(created.status()).isEqualTo(VolumeStatus.SUBMITTED);
        await().atMost(WAIT).until(() -> engine.getVolume(engine.defaultProject(), "disk").status()
                == VolumeStatus.ACTIVE);
        Volume active = engine.getVolume(engine.defaultProject(), "disk");
        String diskName = active.volumeId();
        assertThat(subscription.leftovers()).containsExactly("Microsoft.Compute/disks/" + diskName);
        assertThat(subscription.disk(diskName).path("zones").toString()).isEqualTo("[\"2\"]");
        assertThat(subscription.disk(diskName).path("tags").path("team").asText()).isEqualTo("ml");
        assertThat(active.provisioningData().availabilityZone()).isEqualTo("2");

        Run run = engine.applyRun(DstackYaml.parse("type: task\nname: on-disk\nvolumes: [disk:/workflow/disk]\n"
                + "commands:\n  - cat disk/MOUNTED_DEVICE\n  - while [ ! -f disk/go ]; do sleep 0.2; done\n",
                "task.dstack.yml", TaskConfiguration.class));
        await().atMost(WAIT).untilAsserted(() -> assertThat(engine.getVolume(engine.defaultProject(), "disk")
                .attachments()).hasSize(1));
        FakeArmSubscription.Vm vm = subscription.vms().get(0);
        assertThat(vm.body.path("zones").toString()).isEqualTo("[\"2\"]");
        assertThat(subscription.disk(diskName).path("managedBy").asText()).endsWith("/" + vm.name);
        Path vmHome = vm.ssh().home();
        Path mountDir = vmHome.resolve(".dstack-jvm/volumes/disk");
        await().atMost(WAIT).until(() -> Files.exists(mountDir.resolve("MOUNTED_DEVICE")));
        Files.writeString(mountDir.resolve("go"), "");
        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);
        assertThat(done.status()).as(String.valueOf(done.latestJobSubmission().terminationReasonMessage()))
                .isEqualTo(RunStatus.DONE);
        String device = "/dev/disk/azure/scsi1/lun0";
        assertThat(engine.pollLogs(engine.defaultProject(), "on-disk").logs()).extracting(LogEvent::text)
                .containsExactly(device + "\n");
        assertThat(FakeVmDiskTools.commands(vmHome)).containsSubsequence("sudo mkfs.ext4 -q " + device,
                "sudo mount " + device + " " + mountDir);
        assertThat(arm.calls(subscription)).filteredOn(call -> call.method().equals("PATCH")
                && call.path().endsWith("/virtualMachines/" + vm.name)).extracting(call -> call.body().contains(diskName))
                .containsExactly(true, false);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(engine.getVolume(engine.defaultProject(), "disk").attachments()).isEmpty();
            assertThat(subscription.disk(diskName).has("managedBy")).isFalse();
        });

        engine.deleteVolumes(engine.defaultProject(), List.of("disk"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(subscription.disk(diskName)).isNull();
            assertThat(engine.listVolumes(engine.defaultProject())).isEmpty();
        });
    }
}
