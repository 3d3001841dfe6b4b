package ai.dstack.backend.azure.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.azure.testing.AzureTestBackends;
import ai.dstack.backend.azure.testing.FakeArm;
import ai.dstack.backend.azure.testing.FakeArmSubscription;
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
 * The engine with an {@code azure} backend on the fake ARM and no local fleet: plans list Azure offers, a task gets a
 * VM that runs it over SSH and everything made for it is deleted afterwards, no capacity tries the next offer, an
 * evicted spot VM is retried on another, and a VM left by a killed server is found by its tags and deleted at start.
 */
class AzureEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final FakeArm arm = FakeArm.shared();
    private FakeArmSubscription subscription;
    private DstackEngine engine;
    private final SettableClock clock = SettableClock.offsetFromSystem();

    @BeforeEach
    void setUp() {
        subscription = arm.newSubscription();
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

    /** Creates the {@code azure} backend through the application layer, as {@code backends/create} does. */
    private void configureAzure(String extraJson) {
        engine.app().createBackend(admin(), engine.defaultProject(), backendJson(extraJson));
    }

    private ObjectNode backendJson(String extraJson) {
        BackendConfiguration c = AzureTestBackends.configuration(subscription, engine.defaultProject(), extraJson);
        ObjectNode json = c.config().deepCopy();
        json.set("creds", c.creds());
        return json;
    }

    private String someKey() throws java.io.IOException {
        return Files.readString(TestSshServer.keygen(dir, "lost", "ed25519", false, "").resolveSibling("lost.pub")).trim();
    }

    private static TaskConfiguration task(String yaml) {
        return DstackYaml.parse(yaml, "task.dstack.yml", TaskConfiguration.class);
    }

    @Test
    void badCredentialsAreRefusedAndNothingIsStored() {
        start();
        ObjectNode json = backendJson(null);
        subscription.rotateSecret();
        assertThatThrownBy(() -> engine.app().createBackend(admin(), engine.defaultProject(), json))
                .isInstanceOfSatisfying(DstackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
                    assertThat(e.getMessage()).contains("Invalid credentials").contains("AADSTS7000215");
                });
        assertThat(engine.getProject(engine.defaultProject()).backends()).isEmpty();
    }

    @Test
    void thePlanListsAzureOffersCheapestFirstFilteredByTheRun() {
        start();
        configureAzure(null);
        subscription.restrict("Standard_NC8as_T4_v3", "eastus");
        RunSpec spec = RunSpec.newBuilder().configuration(task("type: task\ncommands: [nvidia-smi]\n"
                + "resources:\n  gpu: T4:1\nspot_policy: on-demand\nmax_price: 1.0\n")).build();
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), spec);
        List<InstanceOfferWithAvailability> offers = plan.jobPlans().get(0).offers();
        assertThat(offers).extracting(o -> o.backend() + " " + o.region() + " " + o.instance().name() + " "
                + o.availability().isAvailable())
                .containsExactly("azure eastus Standard_NC4as_T4_v3 true", "azure eastus Standard_NC8as_T4_v3 false");
    }

    @Test
    void aTaskGetsAVmRunsThereOverSshAndEverythingMadeForItIsDeletedAfterwards() throws Exception {
        start();
        configureAzure("{\"tags\": {\"team\": \"ml\"}}");
        Run run = engine.applyRun(task("type: task\nname: on-azure\ncommands:\n  - echo hello from azure\n"));
        Run done = engine.awaitFinished(run.runSpec().runName(), WAIT);

        assertThat(done.status()).as(done.latestJobSubmission() == null ? "" : String.valueOf(
                done.latestJobSubmission().terminationReasonMessage())).isEqualTo(RunStatus.DONE);
        assertThat(engine.pollLogs(engine.defaultProject(), "on-azure").logs()).extracting(LogEvent::text)
                .containsExactly("hello from azure\n");
        JobSubmission submission = done.latestJobSubmission();
        assertThat(submission.jobProvisioningData().backend()).isEqualTo("azure");
        assertThat(submission.jobProvisioningData().hostname()).startsWith("127.");
        assertThat(submission.jobProvisioningData().instanceType().name()).isEqualTo("Standard_B2ms");
        String created = arm.calls(subscription).stream().filter(c -> c.method().equals("PUT")
                && c.path().contains("/Microsoft.Compute/virtualMachines/")).findFirst().orElseThrow().body();
        assertThat(created).contains("\"dstack_run\":\"on-azure\"", "\"team\":\"ml\"", "\"owner\":\"dstack\"",
                "/home/ubuntu/.ssh/authorized_keys", "0001-com-ubuntu-server-jammy", "StandardSSD_LRS");
        String nsg = arm.calls(subscription).stream().filter(c -> c.method().equals("PUT")
                && c.path().contains("/networkSecurityGroups/")).findFirst().orElseThrow().body();
        assertThat(nsg).contains("\"destinationPortRange\":\"22\"", "\"access\":\"Allow\"");
        assertThat(subscription.groupNames()).containsExactly("dstack-main");
        await().atMost(WAIT).untilAsserted(() -> assertThat(subscription.leftovers()).isEmpty());
        assertThat(arm.requests(subscription)).anyMatch(r -> r.matches(
                "DELETE /resourceGroups/dstack-main/providers/Microsoft.Compute/virtualMachines/.*"))
                .anyMatch(r -> r.matches("DELETE .*/networkSecurityGroups/dstack-main-eastus-ssh"));
    }

    @Test
    void noCapacityTriesTheNextOfferAndFailsListingEveryAttemptWhenNoneHasAny() throws Exception {
        start();
        configureAzure(null);
        subscription.noCapacity("Standard_B2ms", "*");
        Run done = engine.awaitFinished(engine.applyRun(task("type: task\nname: next-offer\ncommands: [echo ok]\n"))
                .runSpec().runName(), WAIT);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().instanceType().name())
                .isNotEqualTo("Standard_B2ms");
        await().atMost(WAIT).untilAsserted(() -> assertThat(subscription.leftovers()).isEmpty());

        subscription.noCapacity("*", "*");
        Run failed = engine.awaitFinished(engine.applyRun(task("type: task\nname: no-capacity\ncommands: [echo no]\n"
                + "max_price: 0.09\n")).runSpec().runName(), WAIT);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        JobSubmission last = failed.latestJobSubmission();
        assertThat(last.terminationReason()).isEqualTo(JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY.wireValue());
        assertThat(last.terminationReasonMessage()).startsWith("All offers failed: azure eastus Standard_B2ms: ")
                .contains("AllocationFailed");
        await().atMost(WAIT).untilAsserted(() -> assertThat(subscription.leftovers()).isEmpty());
    }

    @Test
    void anEvictedSpotVmEndsTheJobAsInterruptedAndRetryRunsItOnAnotherVm() throws Exception {
        start();
        configureAzure(null);
        Path gate = dir.resolve("gate");
        engine.applyRun(task("type: task\nname: spot\nspot_policy: auto\nretry:\n  on_events: [interruption]\n"
                + "  duration: 1h\ncommands:\n  - echo start\n  - while [ ! -e " + gate + " ]; do sleep 0.05; done\n"
                + "  - echo end\n"));
        await().atMost(WAIT).until(() -> engine.pollLogs(engine.defaultProject(), "spot").logs().size() == 1);
        FakeArmSubscription.Vm first = subscription.vms().get(0);
        assertThat(first.body.path("properties").path("priority").asText()).isEqualTo("Spot");
        assertThat(first.body.path("properties").path("evictionPolicy").asText()).isEqualTo("Delete");

        subscription.evict(first.name);
        await().atMost(WAIT).until(() -> subscription.vms().stream().anyMatch(v -> !v.name.equals(first.name)));
        Files.writeString(gate, "go");
        Run done = engine.awaitFinished("spot", WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        List<JobSubmission> submissions = done.jobs().get(0).jobSubmissions();
        assertThat(submissions).hasSize(2);
        assertThat(submissions.get(0).terminationReason())
                .isEqualTo(JobTerminationReason.INTERRUPTED_BY_NO_CAPACITY.wireValue());
        assertThat(submissions.get(1).jobProvisioningData().instanceId()).isNotEqualTo(first.name);
        await().atMost(WAIT).untilAsserted(() -> assertThat(subscription.leftovers()).isEmpty());
    }

    @Test
    void aClusterFleetGetsAProximityPlacementGroupAndDeletingItRemovesEverything() throws Exception {
        start();
        configureAzure(null);
        engine.applyFleet(DstackYaml.parse("type: fleet\nname: cluster\nnodes: 2\nplacement: cluster\n"
                + "idle_duration: 1h\nresources:\n  cpu: 2..\n  memory: 8GB..\n", "fleet.dstack.yml",
                ai.dstack.api.configuration.FleetConfiguration.class));
        await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), "cluster").instances(),
                list -> list.size() == 2 && list.stream().allMatch(i -> i.status()
                        == ai.dstack.api.instance.InstanceStatus.IDLE));
        List<String> groups = subscription.leftovers().stream()
                .filter(r -> r.startsWith("Microsoft.Compute/proximityPlacementGroups/")).toList();
        assertThat(groups).singleElement().satisfies(group -> assertThat(subscription.vms()).hasSize(2)
                .allSatisfy(vm -> assertThat(vm.body.path("properties").path("proximityPlacementGroup").path("id")
                        .asText()).endsWith("/" + group.substring(group.lastIndexOf('/') + 1))));
        engine.deleteFleets(engine.defaultProject(), List.of("cluster"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(subscription.leftovers()).isEmpty());
    }

    @Test
    void aVmLeftByAKilledServerIsDeletedAtStart() throws Exception {
        start();
        configureAzure(null);
        try (Backend backend = AzureTestBackends.backend(subscription, engine.defaultProject(), null)) {
            var offer = backend.offers(ai.dstack.spi.backend.OfferRequirements.any()).get(0);
            backend.createInstance(offer, new InstanceConfiguration("main", "lost-0", "admin", "lost",
                    List.of(someKey()), Map.of(), null, null));
        }
        assertThat(subscription.vms()).hasSize(1);
        engine.close();
        engine = null;
        start();
        await().atMost(WAIT).untilAsserted(() -> assertThat(subscription.leftovers()).isEmpty());
    }
}
