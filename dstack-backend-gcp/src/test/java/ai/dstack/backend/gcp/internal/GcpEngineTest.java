package ai.dstack.backend.gcp.internal;

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
import ai.dstack.backend.gcp.testing.FakeGce;
import ai.dstack.backend.gcp.testing.FakeGceProject;
import ai.dstack.backend.gcp.testing.GcpTestBackends;
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
 * The engine with a {@code gcp} backend on the fake GCE and no local fleet: plans list GCP offers, a task gets a VM
 * that runs it over SSH and is deleted afterwards with the SSH firewall rule, no capacity tries the next offer, a
 * preempted spot VM is retried on another, a cluster fleet gets a compact placement policy, and a VM left by a killed
 * server is found by its labels and deleted at start.
 */
class GcpEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final FakeGce gce = FakeGce.shared();
    private FakeGceProject project;
    private DstackEngine engine;
    private final SettableClock clock = SettableClock.offsetFromSystem();

    @BeforeEach
    void setUp() {
        project = gce.newProject();
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private DstackEngine start() {
        SshSettings ssh = SshSettings.defaults().withGrace(Duration.ofSeconds(20)).withExitPoll(Duration.ofMillis(100));
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(false)
                .sweepInterval(Duration.ofMillis(200)).clock(clock)
                .remoteHosts(new SshConnector(dir.resolve("server/ssh/known_hosts"), ssh)).build();
        return engine;
    }

    private Caller admin() {
        return engine.app().authenticate(engine.adminToken());
    }

    /** Creates the {@code gcp} backend through the application layer, as {@code backends/create} does. */
    private void configureGcp(String extraJson) {
        engine.app().createBackend(admin(), engine.defaultProject(), backendJson(extraJson));
    }

    private ObjectNode backendJson(String extraJson) {
        BackendConfiguration c = GcpTestBackends.configuration(project, engine.defaultProject(), extraJson);
        ObjectNode json = c.config().deepCopy();
        json.set("creds", c.creds());
        return json;
    }

    /** Some SSH public key for a VM made behind the engine's back (its clean-up goes by labels, not keys). */
    private String someKey() throws java.io.IOException {
        return Files.readString(TestSshServer.keygen(dir, "lost", "ed25519", false, "").resolveSibling("lost.pub")).trim();
    }

    private static TaskConfiguration task(String yaml) {
        return DstackYaml.parse(yaml, "task.dstack.yml", TaskConfiguration.class);
    }

    @Test
    void badCredentialsAreRefusedAndNothingIsStored() {
        start();
        project.revokeKey();
        ObjectNode json = backendJson(null);
        assertThatThrownBy(() -> engine.app().createBackend(admin(), engine.defaultProject(), json))
                .isInstanceOfSatisfying(DstackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
                    assertThat(e.getMessage()).contains("Invalid credentials").contains("invalid_grant");
                });
        assertThat(engine.getProject(engine.defaultProject()).backends()).isEmpty();
    }

    @Test
    void thePlanListsGcpOffersCheapestFirstFilteredByTheRun() {
        start();
        configureGcp(null);
        RunSpec spec = RunSpec.newBuilder().configuration(task("type: task\ncommands: [nvidia-smi]\n"
                + "resources:\n  gpu: L4:1\nspot_policy: on-demand\nmax_price: 1.0\n")).build();
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), spec);
        List<InstanceOfferWithAvailability> offers = plan.jobPlans().get(0).offers();
        assertThat(offers).extracting(o -> o.backend() + " " + o.region() + " " + o.instance().name())
                .containsExactly("gcp us-central1 g2-standard-4", "gcp us-central1 g2-standard-8");
        assertThat(offers.get(0).availabilityZones()).contains("us-central1-a");
    }

    @Test
    void aTaskGetsAVmRunsThereOverSshAndTheVmIsDeletedAfterwards() throws Exception {
        start();
        configureGcp("{\"tags\": {\"team\": \"ml\"}}");
        Run run = engine.applyRun(task("type: task\nname: on-gcp\ncommands:\n  - echo hello from gce\n"));
        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);

        assertThat(done.status()).as(done.latestJobSubmission() == null ? "" : String.valueOf(
                done.latestJobSubmission().terminationReasonMessage())).isEqualTo(RunStatus.DONE);
        assertThat(engine.pollLogs(engine.defaultProject(), "on-gcp").logs()).extracting(LogEvent::text)
                .containsExactly("hello from gce\n");
        JobSubmission submission = done.latestJobSubmission();
        assertThat(submission.jobProvisioningData().backend()).isEqualTo("gcp");
        assertThat(submission.jobProvisioningData().hostname()).startsWith("127.");
        assertThat(submission.jobProvisioningData().instanceType().name()).isEqualTo("e2-standard-2");
        List<String> requests = gce.requests(project);
        assertThat(requests).contains("POST /global/firewalls").anyMatch(r -> r.matches("POST /zones/us-central1-a/instances"));
        String inserted = gce.calls(project).stream().filter(c -> c.method().equals("POST")
                && c.path().endsWith("/zones/us-central1-a/instances")).findFirst().orElseThrow().body();
        assertThat(inserted).contains("\"dstack_run\":\"on-gcp\"", "\"team\":\"ml\"", "\"ssh-keys\"",
                "ubuntu-2204-lts", "ONE_TO_ONE_NAT");
        await().atMost(WAIT).untilAsserted(() -> assertThat(project.leftovers()).isEmpty());
        assertThat(gce.requests(project)).anyMatch(r -> r.matches("DELETE /zones/us-central1-a/instances/.*"))
                .contains("DELETE /global/firewalls/dstack-main-ssh");
    }

    @Test
    void noCapacityTriesTheNextOfferAndFailsListingEveryAttemptWhenNoneHasAny() throws Exception {
        start();
        configureGcp(null);
        project.noCapacity("e2-standard-2", "*");
        Run done = engine.awaitFinished(engine.applyRun(task("type: task\nname: next-offer\ncommands: [echo ok]\n"))
                .runSpec().runName(), WAIT);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().instanceType().name())
                .isNotEqualTo("e2-standard-2");
        await().atMost(WAIT).untilAsserted(() -> assertThat(project.vms()).isEmpty());

        project.noCapacity("*", "*");
        Run failed = engine.awaitFinished(engine.applyRun(task("type: task\nname: no-capacity\ncommands: [echo no]\n"
                + "max_price: 0.07\n")).runSpec().runName(), WAIT);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        JobSubmission last = failed.latestJobSubmission();
        assertThat(last.terminationReason()).isEqualTo(JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY.wireValue());
        assertThat(last.terminationReasonMessage()).startsWith("All offers failed: gcp us-central1 e2-standard-2: ")
                .contains("ZONE_RESOURCE_POOL_EXHAUSTED", "us-central1-a", "us-central1-f");
        await().atMost(WAIT).untilAsserted(() -> assertThat(project.leftovers()).isEmpty());
    }

    @Test
    void aPreemptedSpotVmEndsTheJobAsInterruptedAndRetryRunsItOnAnotherVm() throws Exception {
        start();
        configureGcp(null);
        Path gate = dir.resolve("gate");
        engine.applyRun(task("type: task\nname: spot\nspot_policy: auto\nretry:\n  on_events: [interruption]\n"
                + "  duration: 1h\ncommands:\n  - echo start\n  - while [ ! -e " + gate + " ]; do sleep 0.05; done\n"
                + "  - echo end\n"));
        await().atMost(WAIT).until(() -> engine.pollLogs(engine.defaultProject(), "spot").logs().size() == 1);
        FakeGceProject.Vm first = project.vms().get(0);
        assertThat(first.body.path("scheduling").path("provisioningModel").asText()).isEqualTo("SPOT");

        project.preempt(first.name);
        await().atMost(WAIT).until(() -> project.vms().stream().anyMatch(v -> !v.name.equals(first.name)));
        Files.writeString(gate, "go");
        Run done = engine.awaitFinished("spot", WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        List<JobSubmission> submissions = done.jobs().get(0).jobSubmissions();
        assertThat(submissions).hasSize(2);
        assertThat(submissions.get(0).terminationReason())
                .isEqualTo(JobTerminationReason.INTERRUPTED_BY_NO_CAPACITY.wireValue());
        assertThat(submissions.get(1).jobProvisioningData().instanceId()).isNotEqualTo(first.name);
        await().atMost(WAIT).untilAsserted(() -> assertThat(project.leftovers()).isEmpty());
    }

    @Test
    void aClusterFleetGetsACompactPlacementPolicyAndDeletingItRemovesEverything() throws Exception {
        start();
        configureGcp(null);
        engine.applyFleet(DstackYaml.parse("type: fleet\nname: cluster\nnodes: 2\nplacement: cluster\n"
                + "idle_duration: 1h\nresources:\n  cpu: 2..\n  memory: 8GB..\n", "fleet.dstack.yml",
                ai.dstack.api.configuration.FleetConfiguration.class));
        await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), "cluster").instances(), list -> list.size() == 2
                && list.stream().allMatch(i -> i.status() == ai.dstack.api.instance.InstanceStatus.IDLE));
        assertThat(project.policyNames()).singleElement().satisfies(name -> {
            assertThat(project.policy(name).path("groupPlacementPolicy").path("collocation").asText())
                    .isEqualTo("COLLOCATED");
            assertThat(project.vms()).hasSize(2).allSatisfy(vm -> assertThat(
                    vm.body.path("resourcePolicies").get(0).asText()).endsWith("/resourcePolicies/" + name));
        });
        engine.deleteFleets(engine.defaultProject(), List.of("cluster"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(project.leftovers()).isEmpty());
    }

    @Test
    void aVmLeftByAKilledServerIsDeletedAtStart() throws Exception {
        start();
        configureGcp(null);
        // a VM made for the project and never recorded (the server died between the cloud call and the write)
        try (Backend backend = GcpTestBackends.backend(project, engine.defaultProject(), null)) {
            var offer = backend.offers(ai.dstack.spi.backend.OfferRequirements.any()).get(0);
            backend.createInstance(offer, new InstanceConfiguration("main", "lost-0", "admin", "lost",
                    List.of(someKey()), Map.of(), null, null));
        }
        assertThat(project.vms()).hasSize(1);
        engine.close();
        engine = null;
        start();
        await().atMost(WAIT).untilAsserted(() -> assertThat(project.leftovers()).isEmpty());
    }
}
