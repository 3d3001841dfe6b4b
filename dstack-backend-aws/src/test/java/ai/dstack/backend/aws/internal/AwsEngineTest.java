package ai.dstack.backend.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.JobTerminationReason;
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
import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.app.Caller;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.testing.SettableClock;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine with an {@code aws} backend on the fake EC2 and no local fleet: plans list AWS offers, a task gets a VM
 * that runs it over SSH and is terminated afterwards, no capacity anywhere fails the run listing what was tried, and a
 * VM left by a killed server is found by its tags and terminated at start.
 */
class AwsEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final FakeEc2 ec2 = FakeEc2.shared();
    private FakeEc2Account account;
    private DstackEngine engine;

    @BeforeEach
    void setUp() {
        account = ec2.newAccount();
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private final SettableClock clock = SettableClock.offsetFromSystem();

    private DstackEngine start() {
        return start(false);
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

    /** Some SSH public key for a VM made behind the engine's back (its clean-up goes by tags, not keys). */
    private String someKey() throws java.io.IOException {
        return Files.readString(TestSshServer.keygen(dir, "lost", "ed25519", false, "").resolveSibling("lost.pub")).trim();
    }

    /** Creates the {@code aws} backend through the application layer, as {@code backends/create} does. */
    private void configureAws(String extraJson) {
        engine.app().createBackend(admin(), engine.defaultProject(), backendJson(extraJson));
    }

    private ObjectNode backendJson(String extraJson) {
        BackendConfiguration c = AwsTestBackends.configuration(account, engine.defaultProject(), extraJson);
        ObjectNode json = c.config().deepCopy();
        json.set("creds", c.creds());
        return json;
    }

    private static TaskConfiguration task(String yaml) {
        return DstackYaml.parse(yaml, "task.dstack.yml", TaskConfiguration.class);
    }

    @Test
    void badCredentialsAreRefusedAndNothingIsStored() {
        start();
        ObjectNode json = backendJson(null);
        ((ObjectNode) json.get("creds")).put("access_key", "AKIAUNKNOWN");
        assertThatThrownBy(() -> engine.app().createBackend(admin(), engine.defaultProject(), json))
                .isInstanceOfSatisfying(DstackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
                    assertThat(e.getMessage()).contains("Invalid credentials");
                });
        assertThat(engine.getProject(engine.defaultProject()).backends()).isEmpty();
    }

    @Test
    void thePlanListsAwsOffersCheapestFirstFilteredByTheRun() {
        start();
        configureAws(null);
        RunSpec spec = RunSpec.newBuilder().configuration(task("type: task\ncommands: [nvidia-smi]\n"
                + "resources:\n  gpu: A10G:1\nspot_policy: on-demand\nmax_price: 1.1\n")).build();
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), spec);
        List<InstanceOfferWithAvailability> offers = plan.jobPlans().get(0).offers();
        assertThat(offers).isNotEmpty().allSatisfy(o -> {
            assertThat(o.backend()).isEqualTo("aws");
            assertThat(o.instance().resources().gpus()).singleElement()
                    .satisfies(g -> assertThat(g.name()).isEqualTo("A10G"));
            assertThat(o.instance().resources().spot()).isFalse();
            assertThat(o.price()).isLessThanOrEqualTo(1.1);
        });
        assertThat(offers).extracting(o -> o.instance().name()).containsExactly("g5.xlarge");
    }

    @Test
    void aTaskGetsAVmRunsThereOverSshAndTheVmIsTerminatedAfterwards() throws Exception {
        start();
        configureAws(null);
        Run run = engine.applyRun(task("type: task\nname: on-aws\ncommands:\n  - echo hello from the cloud\n"));
        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);

        assertThat(done.status()).as(done.latestJobSubmission() == null ? "" : String.valueOf(
                done.latestJobSubmission().terminationReasonMessage())).isEqualTo(RunStatus.DONE);
        assertThat(engine.pollLogs(engine.defaultProject(), "on-aws").logs()).extracting(LogEvent::text)
                .containsExactly("hello from the cloud\n");
        JobSubmission submission = done.latestJobSubmission();
        assertThat(submission.jobProvisioningData().backend()).isEqualTo("aws");
        assertThat(submission.jobProvisioningData().hostname()).startsWith("127.");
        assertThat(account.allInstances()).singleElement().satisfies(vm -> {
            assertThat(vm.tags).containsEntry("dstack_project", "main").containsEntry("dstack_run", "on-aws");
            assertThat(vm.type).isEqualTo("t3.large"); // the cheapest with dstack's default 2 CPUs and 8 GB
        });
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(account.liveInstances()).isEmpty();
            assertThat(account.securityGroupNames()).isEmpty();
            assertThat(account.keyPairNames()).isEmpty();
        });
    }

    @Test
    void theRunsOfferFiltersChooseTheCloudOverTheLocalHostAndItsTagsGoOnTheVm() throws Exception {
        start(true);
        var plain = task("type: task\nname: anywhere\ncommands: [echo here]\n"
                + "resources:\n  cpu: 1..\n  memory: 0GB..\n"); // whatever this machine has
        var onAws = task("type: task\nname: filtered\nbackends: [aws]\nregions: [us-east-1]\n"
                + "instance_types: [m5.large]\ntags:\n  team: ml\ncommands: [echo on aws]\n");
        // without the aws backend the field rule refuses what the hosts cannot honour, naming each field
        assertThatThrownBy(() -> engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(onAws)
                .build())).isInstanceOf(DstackException.class).hasMessageContaining("`backends`: ")
                .hasMessageContaining("`instance_types`: ").hasMessageContaining("`tags`: ");
        configureAws(null);

        Run local = engine.awaitFinished(engine.applyRun(plain).runSpec().runName(), WAIT);
        assertThat(local.status()).isEqualTo(RunStatus.DONE);
        assertThat(local.latestJobSubmission().jobProvisioningData().backend()).as("free, on-demand, first")
                .isEqualTo("remote");

        RunPlan plan = engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(onAws).build());
        assertThat(plan.jobPlans().get(0).offers()).extracting(o -> o.backend() + " " + o.region() + " "
                + o.instance().name()).containsExactly("aws us-east-1 m5.large");
        Run done = engine.awaitFinished(engine.applyRun(onAws).runSpec().runName(), WAIT);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().backend()).isEqualTo("aws");
        assertThat(engine.pollLogs(engine.defaultProject(), "filtered").logs()).extracting(LogEvent::text)
                .containsExactly("on aws\n");
        assertThat(account.allInstances()).singleElement().satisfies(vm -> {
            assertThat(vm.type).isEqualTo("m5.large");
            assertThat(vm.tags).containsEntry("team", "ml").containsEntry("dstack_run", "filtered");
        });

        // a backend the project does not have is still refused by name
        var onGcp = task("type: task\nbackends: [gcp]\ncommands: [echo no]\n");
        assertThatThrownBy(() -> engine.applyRun(onGcp)).isInstanceOf(DstackException.class)
                .hasMessageContaining("`backends`: ").hasMessageContaining("gcp is not among them")
                .hasMessageContaining("backends aws");
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.liveInstances()).isEmpty());
    }

    @Test
    void noCapacityTriesTheNextOfferAndFailsListingEveryAttemptWhenNoneHasAny() throws Exception {
        start();
        configureAws(null);
        account.noCapacity("t3.large", "*");
        Run run = engine.applyRun(task("type: task\nname: next-offer\ncommands: [echo ok]\n"));
        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(account.allInstances()).singleElement()
                .satisfies(vm -> assertThat(vm.type).isNotEqualTo("t3.large"));

        await().atMost(WAIT).untilAsserted(() -> assertThat(account.liveInstances()).isEmpty());
        account.noCapacity("*", "*");
        // max_price leaves two offers: t3.large and m5.large
        Run failed = engine.awaitFinished(engine.applyRun(task("type: task\nname: no-capacity\ncommands: [echo no]\n"
                + "max_price: 0.1\n")).runSpec().runName(), WAIT);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        JobSubmission last = failed.latestJobSubmission();
        assertThat(last.terminationReason()).isEqualTo(JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY.wireValue());
        assertThat(last.terminationReasonMessage()).startsWith("All offers failed: aws us-east-1 t3.large: ")
                .contains("InsufficientInstanceCapacity", "us-east-1a", "us-east-1b", "; aws us-east-1 m5.large: ");
    }

    @Test
    void aSpotVmTakenBackEndsTheJobAsInterruptedAndRetryRunsItOnAnotherVm() throws Exception {
        start();
        configureAws(null);
        Path gate = dir.resolve("gate");
        engine.applyRun(task("type: task\nname: spot\nspot_policy: spot\nretry:\n  on_events: [interruption]\n"
                + "  duration: 1h\ncommands:\n  - echo start\n  - while [ ! -e " + gate + " ]; do sleep 0.05; done\n"
                + "  - echo end\n"));
        await().atMost(WAIT).until(() -> engine.pollLogs(engine.defaultProject(), "spot").logs().size() == 1);
        FakeEc2Account.Instance first = account.liveInstances().get(0);
        assertThat(first.spot).isTrue();

        account.interrupt(first.id);
        await().atMost(WAIT).until(() -> account.liveInstances().stream().anyMatch(i -> !i.id.equals(first.id)));
        Files.writeString(gate, "go");
        Run done = engine.awaitFinished("spot", WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        List<JobSubmission> submissions = done.jobs().get(0).jobSubmissions();
        assertThat(submissions).hasSize(2);
        assertThat(submissions.get(0).terminationReason())
                .isEqualTo(JobTerminationReason.INTERRUPTED_BY_NO_CAPACITY.wireValue());
        assertThat(submissions.get(1).jobProvisioningData().instanceId()).isNotEqualTo(first.id);
    }

    @Test
    void aCloudFleetMakesItsNodesInAPlacementGroupRunsUseThemAndIdleOnesGo() throws Exception {
        start();
        configureAws(null);
        engine.applyFleet(DstackYaml.parse("type: fleet\nname: cluster\nnodes: 2\nplacement: cluster\n"
                + "idle_duration: 1h\nresources:\n  cpu: 2..\n  memory: 8GB..\n", "fleet.dstack.yml",
                ai.dstack.api.configuration.FleetConfiguration.class));
        await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), "cluster").instances(), list -> list.size() == 2
                && list.stream().allMatch(i -> i.status() == ai.dstack.api.instance.InstanceStatus.IDLE));
        assertThat(account.placementStrategy("cluster-pg")).isEqualTo("cluster");
        assertThat(account.liveInstances()).hasSize(2)
                .allSatisfy(vm -> assertThat(vm.placementGroup).isEqualTo("cluster-pg"));
        assertThat(engine.getFleet(engine.defaultProject(), "cluster").instances()).allSatisfy(i -> assertThat(i.backend()).isEqualTo("aws"));

        Run done = engine.awaitFinished(engine.applyRun(task("type: task\nname: on-fleet\nfleets: [cluster]\n"
                + "commands: [echo on the fleet]\n")).runSpec().runName(), WAIT);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().backend()).isEqualTo("aws");
        assertThat(account.allInstances()).as("the run used the fleet's VMs").hasSize(2);
        assertThat(account.liveInstances()).as("idle_duration has not passed").hasSize(2);

        clock.advance(Duration.ofMinutes(61));
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.liveInstances()).isEmpty());
        assertThat(account.placementGroupNames()).as("the fleet still exists").containsExactly("cluster-pg");
        // a run limited to the fleet gets no VM of its own when the fleet has none left
        Run noRoom = engine.awaitFinished(engine.applyRun(task("type: task\nname: fleet-only\nfleets: [cluster]\n"
                + "commands: [echo no]\n")).runSpec().runName(), WAIT);
        assertThat(noRoom.status()).isEqualTo(RunStatus.FAILED);
        assertThat(noRoom.latestJobSubmission().terminationReason())
                .isEqualTo(JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY.wireValue());
        assertThat(account.allInstances()).as("no VM was made for it").hasSize(2);
        engine.deleteFleets(engine.defaultProject(), List.of("cluster"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(account.placementGroupNames()).isEmpty();
            assertThat(account.securityGroupNames()).isEmpty();
        });
    }

    @Test
    void aCloudFleetNeedsABackendAndFieldsWithoutEffectAreRefusedByName() {
        start();
        var fleet = DstackYaml.parse("type: fleet\nname: f\nnodes: 1\n", "fleet.dstack.yml",
                ai.dstack.api.configuration.FleetConfiguration.class);
        assertThatThrownBy(() -> engine.applyFleet(fleet)).hasMessageContaining("needs a cloud backend")
                .hasMessageContaining("project main has none");
        configureAws(null);
        assertThatThrownBy(() -> engine.applyFleet(DstackYaml.parse("type: fleet\nname: f\nnodes: 1\n"
                + "availability_zones: [us-east-1a]\n", "fleet.dstack.yml",
                ai.dstack.api.configuration.FleetConfiguration.class)))
                .hasMessageContaining("Cloud fleets do not support availability_zones yet");
        assertThat(account.allInstances()).isEmpty();
    }

    @Test
    void aVmLeftByAKilledServerIsTerminatedAtStart() throws Exception {
        start();
        configureAws(null);
        // a VM made for the project and never recorded (the server died between the cloud call and the write)
        try (Backend backend = AwsTestBackends.backend(account, engine.defaultProject(), null)) {
            var offer = backend.offers(ai.dstack.spi.backend.OfferRequirements.any()).get(0);
            backend.createInstance(offer, new InstanceConfiguration("main", "lost-0", "admin", "lost",
                    List.of(someKey()), Map.of(), null, null));
        }
        assertThat(account.liveInstances()).hasSize(1);
        engine.close();
        engine = null;
        start();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(account.liveInstances()).isEmpty();
            assertThat(account.securityGroupNames()).isEmpty();
            assertThat(account.keyPairNames()).isEmpty();
        });
    }
}
