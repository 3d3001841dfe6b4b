package ai.dstack.backend.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.aws.testing.AwsTestBackends;
import ai.dstack.backend.aws.testing.FakeEc2;
import ai.dstack.backend.aws.testing.FakeEc2Account;
import ai.dstack.backend.ssh.internal.SshConnector;
import ai.dstack.backend.ssh.internal.SshSettings;
import ai.dstack.backend.ssh.testing.FakeVmDiskTools;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.app.Caller;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.core.testing.PodmanTestImage;
import ai.dstack.testing.SettableClock;
import com.fasterxml.jackson.databind.JsonNode;
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
 * EBS volumes end to end on the fake EC2: {@code type: volume} created through the application layer becomes active
 * with the cloud's id, a run that names it gets a VM in the volume's zone, the fake records the attach, the VM sees
 * the mount commands and the job sees the volume at its path; it is detached when the job ends and deleted from the
 * cloud when the user deletes it. Refusals name the volume.
 */
class AwsVolumesTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final FakeEc2 ec2 = FakeEc2.shared();
    private FakeEc2Account account;
    private DstackEngine engine;
    private final SettableClock clock = SettableClock.offsetFromSystem();

    @BeforeEach
    void setUp() {
        account = ec2.newAccount().onVmStart(vm -> FakeVmDiskTools.install(vm.home()));
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private DstackEngine start(boolean localFleet) {
        SshSettings ssh = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(localFleet)
                .sweepInterval(Duration.ofMillis(200)).clock(clock)
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), ssh)).build();
        return engine;
    }

    private Caller admin() {
        return engine.app().authenticate(engine.adminToken());
    }

    private void configureAws() {
        BackendConfiguration c = AwsTestBackends.configuration(account, engine.defaultProject(), null);
        ObjectNode json = c.config().deepCopy();
        json.set("creds", c.creds());
        engine.app().createBackend(admin(), engine.defaultProject(), json);
    }

    private JsonNode createVolume(String yaml) {
        JsonNode configuration = DstackYaml.toJsonTree(DstackYaml.parse(yaml, "vol.dstack.yml"));
        return engine.app().createVolume(admin(), engine.defaultProject(), configuration);
    }

    private JsonNode volume(String name) {
        return engine.app().getVolume(admin(), engine.defaultProject(), name);
    }

    private JsonNode awaitActive(String name) {
        await().atMost(WAIT).until(() -> !volume(name).path("status").asText().matches("submitted|provisioning"));
        return volume(name);
    }

    private static TaskConfiguration task(String yaml) {
        return DstackYaml.parse(yaml, "task.dstack.yml", TaskConfiguration.class);
    }

    @Test
    void aVolumeIsCreatedAttachedToTheRunsVmMountedSeenByTheJobDetachedAndDeleted() throws Exception {
        start(false);
        configureAws();
        JsonNode created = createVolume("type: volume\nname: data\nbackend: aws\nregion: us-east-1\n"
                + "availability_zone: us-east-1b\nsize: 50\ntags:\n  team: ml\n");
        assertThat(created.path("status").asText()).isEqualTo("submitted");
        assertThat(created.path("project_name").asText()).isEqualTo("main");
        assertThat(created.path("user").asText()).isEqualTo("admin");
        assertThat(created.path("deleted").asBoolean()).isFalse();

        JsonNode active = awaitActive("data");
        assertThat(active.path("status").asText()).as(active.toString()).isEqualTo("active");
        FakeEc2Account.Volume ebs = account.volumes().stream().filter(v -> "data".equals(v.tags.get("dstack_name")))
                .findFirst().orElseThrow();
        assertThat(ebs.zone).isEqualTo("us-east-1b");
        assertThat(ebs.size).isEqualTo(50);
        assertThat(ebs.tags).containsEntry("team", "ml").containsEntry("dstack_project", "main");
        assertThat(active.path("volume_id").asText()).isEqualTo(ebs.id);
        assertThat(active.path("provisioning_data").path("availability_zone").asText()).isEqualTo("us-east-1b");
        assertThat(active.path("provisioning_data").path("size_gb").asInt()).isEqualTo(50);
        assertThat(active.path("attachments").isArray() && active.path("attachments").isEmpty()).isTrue();
        // a project with a volume is not deleted, as in dstack
        assertThatThrownBy(() -> engine.app().deleteProjects(admin(), List.of("main")))
                .isInstanceOf(DstackException.class).hasMessageContaining("active volumes: ['data']");

        // The plan offers only the volume's zone; the job waits for a file the test writes onto the mounted volume.
        TaskConfiguration job = task("type: task\nname: with-data\nvolumes:\n  - name: data\n    path: /workflow/data\n"
                + "commands:\n  - cat data/MOUNTED_DEVICE\n  - while [ ! -f data/go ]; do sleep 0.2; done\n"
                + "  - echo done on the volume\n");
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(job).build());
        assertThat(plan.jobPlans().get(0).offers()).isNotEmpty().allSatisfy(o -> {
            assertThat(o.backend()).isEqualTo("aws");
            assertThat(o.region()).isEqualTo("us-east-1");
            assertThat(o.availabilityZones()).containsExactly("us-east-1b");
        });
        Run run = engine.applyRun(job);
        await().atMost(WAIT).untilAsserted(() -> assertThat(volume("data").path("attachments")).hasSize(1));
        JsonNode attached = volume("data");
        FakeEc2Account.Instance vm = account.allInstances().get(0);
        assertThat(ebs.attachedTo()).isEqualTo(vm.id);
        assertThat(vm.zone).isEqualTo("us-east-1b");
        assertThat(attached.path("attachments").get(0).path("instance").path("name").asText())
                .isEqualTo("with-data-0");
        assertThat(attached.path("attachments").get(0).path("instance").path("instance_id").asText()).isEqualTo(vm.id);
        String device = attached.path("attachments").get(0).path("attachment_data").path("device_name").asText();
        assertThat(device).startsWith("/dev/sd");
        Path vmHome = vm.ssh().home();
        Path mountDir = vmHome.resolve(".dstack-jvm/volumes/data");
        await().atMost(WAIT).until(() -> Files.exists(mountDir.resolve("MOUNTED_DEVICE")));
        // deleting a volume in use is refused
        assertThatThrownBy(() -> engine.app().deleteVolumes(admin(), engine.defaultProject(), List.of("data")))
                .isInstanceOfSatisfying(DstackException.class, e -> assertThat(e.getMessage()).contains("in use"));
        Files.writeString(mountDir.resolve("go"), "");

        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);
        assertThat(done.status()).as(String.valueOf(done.latestJobSubmission().terminationReasonMessage()))
                .isEqualTo(RunStatus.DONE);
        assertThat(engine.pollLogs(engine.defaultProject(), "with-data").logs()).extracting(LogEvent::text)
                .containsExactly(device + "\n", "done on the volume\n");
        List<String> commands = FakeVmDiskTools.commands(vmHome);
        assertThat(commands).containsSubsequence("lsblk -n -o NAME " + device,
                "sudo blkid -o value -s TYPE " + device, "sudo mkfs.ext4 -q " + device,
                "sudo mount " + device + " " + mountDir);
        assertThat(ec2.actions(account)).containsSubsequence("CreateVolume", "AttachVolume", "DetachVolume");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(volume("data").path("attachments")).isEmpty();
            assertThat(ebs.attachedTo()).isNull();
        });

        engine.app().deleteVolumes(admin(), engine.defaultProject(), List.of("data"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(account.volumes()).isEmpty();
            assertThatThrownBy(() -> volume("data")).isInstanceOfSatisfying(DstackException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS));
        });
        assertThat(engine.listEvents(ai.dstack.api.event.ListEventsRequest.all(100).ascending(true)
                .includeTargetTypes(List.of("volume")))).extracting(ai.dstack.api.event.Event::message)
                .containsSubsequence("Volume created. Status: SUBMITTED",
                        "Volume status changed SUBMITTED -> PROVISIONING",
                        "Volume status changed PROVISIONING -> ACTIVE",
                        "Volume attached to instance with-data-0 as " + device,
                        "Volume detached from instance with-data-0", "Volume marked for deletion", "Volume deleted");
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.liveInstances()).isEmpty());
    }

    @Test
    void anExistingEbsVolumeIsRegisteredAndNeverDeletedFromTheCloud() {
        start(false);
        configureAws();
        createVolume("type: volume\nname: made\nbackend: aws\nregion: us-east-1\nsize: 10\n");
        String id = awaitActive("made").path("volume_id").asText();
        engine.app().deleteVolumes(admin(), engine.defaultProject(), List.of("made"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.volumes()).isEmpty());
        // nothing of that id exists now: registering it fails with the cloud's words
        createVolume("type: volume\nname: gone\nbackend: aws\nregion: us-east-1\nvolume_id: " + id + "\n");
        JsonNode failed = awaitActive("gone");
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("status_message").asText()).contains(id);

        createVolume("type: volume\nname: first\nbackend: aws\nregion: us-east-1\nsize: 5\n");
        String existing = awaitActive("first").path("volume_id").asText();
        JsonNode registered = createVolume("type: volume\nname: second\nbackend: aws\nregion: us-east-1\n"
                + "volume_id: " + existing + "\n");
        assertThat(registered.path("external").asBoolean()).isTrue();
        assertThat(awaitActive("second").path("volume_id").asText()).isEqualTo(existing);
        engine.app().deleteVolumes(admin(), engine.defaultProject(), List.of("second"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(engine.app().listVolumes(admin(), engine.defaultProject()))
                .extracting(v -> v.path("name").asText()).containsExactly("first", "gone"));
        assertThat(account.volumes()).extracting(v -> v.id).containsExactly(existing);
    }

    @Test
    void fieldsThisServerCannotHonourAndRunsItCannotPlaceAreRefusedByName() {
        start(true);
        // without a cloud backend: the local host cannot attach cloud disks
        TaskConfiguration job = task("type: task\nvolumes: [data:/workflow/data]\ncommands: [ls data]\n");
        assertThatThrownBy(() -> engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(job)
                .build())).isInstanceOf(DstackException.class).hasMessageContaining("`volumes`: network volume data")
                .hasMessageContaining("cannot attach cloud disks");
        assertThatThrownBy(() -> createVolume("type: volume\nname: data\nbackend: aws\nregion: us-east-1\nsize: 5\n"))
                .isInstanceOf(DstackException.class).hasMessageContaining("backend: project main has no aws backend");
        configureAws();
        // a missing volume
        assertThatThrownBy(() -> engine.applyRun(job)).isInstanceOf(DstackException.class)
                .hasMessageContaining("network volume data does not exist in the project");
        assertThatThrownBy(() -> createVolume("type: volume\nname: data\nbackend: aws\nregion: us-east-1\n"))
                .isInstanceOf(DstackException.class).hasMessageContaining("size:");
        assertThatThrownBy(() -> createVolume("type: volume\nname: data\nbackend: aws\nregion: us-east-1\n"
                + "volume_id: vol-0123\nauto_cleanup_duration: 1h\n")).isInstanceOf(DstackException.class)
                .hasMessageContaining("auto_cleanup_duration: external volumes (`volume_id`) do not support");
        assertThatThrownBy(() -> createVolume("type: volume\nname: data\nbackend: gcp\nregion: us-east1\nsize: 5\n"))
                .isInstanceOf(DstackException.class).hasMessageContaining("no gcp backend");
        createVolume("type: volume\nname: data\nbackend: aws\nregion: us-east-1\nsize: 5\n");
        assertThatThrownBy(() -> createVolume("type: volume\nname: data\nbackend: aws\nregion: us-east-1\nsize: 5\n"))
                .isInstanceOfSatisfying(DstackException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS));
        awaitActive("data");
        // on a bare host the volume must appear inside the job's directory
        TaskConfiguration outside = task("type: task\nvolumes: [data:/mnt/data]\ncommands: [ls /mnt/data]\n");
        assertThatThrownBy(() -> engine.applyRun(outside)).isInstanceOf(DstackException.class)
                .hasMessageContaining("network volume data cannot appear at /mnt/data");
        // an active volume: the run goes to an AWS VM in its zone, never to the local host
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(job).build());
        assertThat(plan.jobPlans().get(0).offers()).isNotEmpty()
                .allSatisfy(o -> assertThat(o.backend()).isEqualTo("aws"));
        String zone = volume("data").path("provisioning_data").path("availability_zone").asText();
        assertThat(plan.jobPlans().get(0).offers()).allSatisfy(o -> assertThat(o.availabilityZones())
                .containsExactly(zone));
        assertThat(volume("data").path("configuration").path("type").asText()).isEqualTo("volume");
    }

    @Test
    void aVolumeUnusedForLongerThanItsAutoCleanupDurationIsDeletedCountingFromItsLastJob() throws Exception {
        start(false);
        configureAws();
        String zone = "region: us-east-1\navailability_zone: us-east-1a\nsize: 10\n";
        createVolume("type: volume\nname: scratch\nbackend: aws\n" + zone + "auto_cleanup_duration: 1h\n");
        createVolume("type: volume\nname: kept\nbackend: aws\n" + zone + "auto_cleanup_duration: off\n");
        createVolume("type: volume\nname: plain\nbackend: aws\n" + zone);
        List.of("scratch", "kept", "plain").forEach(name -> assertThat(awaitActive(name).path("status").asText())
                .isEqualTo("active"));

        clock.advance(Duration.ofMinutes(50));
        Run done = engine.awaitFinished(engine.applyRun(task("type: task\nname: uses-it\nvolumes:\n"
                + "  - name: scratch\n    path: /workflow/scratch\ncommands: [echo used]\n")).runSpec().runName(), WAIT);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        await().atMost(WAIT).untilAsserted(() -> assertThat(volume("scratch").path("attachments")).isEmpty());

        // 100 minutes since it was made, 50 since the job used it: kept
        clock.advance(Duration.ofMinutes(50));
        Thread.sleep(1_000); // five sweeps
        assertThat(volume("scratch").path("status").asText()).isEqualTo("active");
        assertThat(account.volumes()).hasSize(3);

        clock.advance(Duration.ofMinutes(11));
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.volumes()).extracting(v -> v.tags.get("dstack_name"))
                .containsExactlyInAnyOrder("kept", "plain"));
        assertThatThrownBy(() -> volume("scratch")).isInstanceOfSatisfying(DstackException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS));
        assertThat(engine.listEvents(ai.dstack.api.event.ListEventsRequest.all(100).ascending(true)
                .includeTargetTypes(List.of("volume")))).extracting(ai.dstack.api.event.Event::message)
                .contains("Volume marked for deletion due to exceeding auto_cleanup_duration");
        clock.advance(Duration.ofDays(30));
        Thread.sleep(1_000);
        assertThat(account.volumes()).as("off and unset keep a volume").hasSize(2);
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.liveInstances()).isEmpty());
    }

    @Test
    void aVolumeLeftProvisioningByAStoppedServerIsFoundByItsTagsOrFailedAfterARestart() throws Exception {
        start(false);
        configureAws();
        account.holdVolumesCreating(true);
        createVolume("type: volume\nname: slow\nbackend: aws\nregion: us-east-1\nsize: 10\n");
        await().atMost(WAIT).until(() -> account.volumes().size() == 1);
        String made = account.volumes().get(0).id;
        assertThat(volume("slow").path("status").asText()).isEqualTo("provisioning");
        engine.close(); // the server stops while EBS is still creating it

        account.holdVolumesCreating(false);
        start(false);
        Thread.sleep(1_000); // five sweeps: another server could still be at it
        assertThat(volume("slow").path("status").asText()).isEqualTo("provisioning");
        clock.advance(Duration.ofMinutes(6));
        JsonNode found = awaitActive("slow");
        assertThat(found.path("status").asText()).as(found.toString()).isEqualTo("active");
        assertThat(found.path("volume_id").asText()).isEqualTo(made);
        assertThat(account.volumes()).as("not made twice").hasSize(1);

        // the cloud has nothing of it (the server stopped before its request got there)
        account.holdVolumesCreating(true);
        createVolume("type: volume\nname: lost\nbackend: aws\nregion: us-east-1\nsize: 10\n");
        await().atMost(WAIT).until(() -> account.volumes().size() == 2);
        engine.close();
        account.holdVolumesCreating(false);
        account.volumes().stream().filter(v -> "lost".equals(v.tags.get("dstack_name")))
                .forEach(v -> account.deleteVolumeOutside(v.id));
        start(false);
        clock.advance(Duration.ofMinutes(6));
        JsonNode failed = awaitActive("lost");
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("status_message").asText()).contains("The server stopped while creating the volume",
                "dstack_name=lost", "apply it again");
        engine.app().deleteVolumes(admin(), engine.defaultProject(), List.of("slow", "lost"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.volumes()).isEmpty());
    }

    @Test
    void aJobWithAnImageOnACloudVmSeesTheNetworkVolumeAtItsPathInsideTheContainer() throws Exception {
        String image = PodmanTestImage.require();
        List<Path> vmHomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        account.onVmStart(vm -> {
            FakeVmDiskTools.install(vm.home());
            vmHomes.add(vm.home());
        });
        start(false);
        configureAws();
        createVolume("type: volume\nname: box\nbackend: aws\nregion: us-east-1\navailability_zone: us-east-1a\n"
                + "size: 10\n");
        assertThat(awaitActive("box").path("status").asText()).isEqualTo("active");
        Run done = engine.awaitFinished(engine.applyRun(task("type: task\nname: boxed\nimage: " + image + "\n"
                + "volumes:\n  - name: box\n    path: /data\ncommands:\n"
                + "  - test -f /run/.containerenv && echo in a container\n  - cat /data/MOUNTED_DEVICE\n"
                + "  - echo written in the container > /data/out\n")).runSpec().runName(), WAIT);
        assertThat(done.status()).as(String.valueOf(done.latestJobSubmission().terminationReasonMessage()))
                .isEqualTo(RunStatus.DONE);
        Path vmHome = vmHomes.get(0);
        String device = FakeVmDiskTools.commands(vmHome).stream().filter(c -> c.startsWith("mount "))
                .findFirst().orElseThrow().split(" ")[1];
        assertThat(engine.pollLogs(engine.defaultProject(), "boxed").logs()).extracting(LogEvent::text)
                .containsExactly("in a container\n", device + "\n");
        // what the job wrote at /data is on the volume's mount on the VM
        assertThat(vmHome.resolve(".dstack-jvm/volumes/box/out")).hasContent("written in the container");
        await().atMost(WAIT).untilAsserted(() -> assertThat(volume("box").path("attachments")).isEmpty());
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.liveInstances()).isEmpty());
    }
}
