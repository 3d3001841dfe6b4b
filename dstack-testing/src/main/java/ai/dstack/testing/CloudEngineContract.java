package ai.dstack.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.app.Caller;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendProviders;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.host.RemoteHostConnector;
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
 * The engine with one cloud backend on its fake cloud and no local fleet, as every cloud backend must behave: bad
 * credentials stored nowhere, a task on a VM of its own that is gone afterwards with everything made for it, no
 * capacity trying the next offer and then failing with every attempt listed, a spot VM taken back retried on another,
 * a cluster fleet with the cloud's placement, and a VM left by a killed server removed at start. Extend it in the
 * backend's tests with the fake cloud's hooks; the cloud's own tests go beside these in the subclass.
 */
public abstract class CloudEngineContract {
    protected static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    protected Path dir;

    protected final SettableClock clock = SettableClock.offsetFromSystem();
    protected DstackEngine engine;

    // ---- the fake cloud's hooks ----

    /** dstack's name of the backend type ({@code aws}, {@code gcp}, {@code azure}). */
    protected abstract String backendType();

    /** A fresh account (project, subscription) in the fake cloud for this test. */
    protected abstract void newCloudAccount();

    /** The backend's configuration on this test's fake account, with {@code extraJson}'s fields added. */
    protected abstract BackendConfiguration configuration(String project, String extraJson);

    /** The SSH transport the engine reaches VMs with (known hosts in {@code knownHosts}). */
    protected abstract RemoteHostConnector connector(Path knownHosts);

    /** What the project left in the fake cloud (VMs, networks, keys, groups...), one line each; empty when clean. */
    protected abstract List<String> leftovers();

    /** The ids (as the engine records them) of the fake cloud's running VMs. */
    protected abstract List<String> liveVms();

    /** Makes the credentials in {@code backendJson} wrong, in the JSON or in the fake cloud. */
    protected abstract void breakCredentials(ObjectNode backendJson);

    /** The cloud's own words for wrong credentials, which the refusal must carry. */
    protected abstract String credentialErrorWords();

    /** Creating VMs of {@code instanceType} in {@code zone} ("*" for any) fails for capacity. */
    protected abstract void noCapacity(String instanceType, String zone);

    /** The instance type a task with dstack's default resources gets (the cheapest). */
    protected abstract String defaultInstanceType();

    /** A {@code max_price} that leaves the default task more than one offer, so that no capacity tries several. */
    protected abstract String maxPriceForAFewOffers();

    /** What the failure of a run with no capacity anywhere names besides the first attempt. */
    protected abstract List<String> noCapacityWords();

    /** Asserts the VM is a spot VM. */
    protected abstract void assertSpot(String vm);

    /** The cloud takes the spot VM back. */
    protected abstract void interrupt(String vm);

    /** Asserts what the cloud holds for a cluster fleet of two VMs (its placement group or policy). */
    protected abstract void assertClusterPlacement();

    /** Asserts the cloud's own details of a task's VM (tags, image, network), before it is removed. */
    protected abstract void assertTaskVm(Run done);

    // ---- the harness ----

    @BeforeEach
    void newAccount() {
        newCloudAccount();
    }

    @AfterEach
    void closeEngine() {
        if (engine != null) {
            engine.close();
            engine = null;
        }
    }

    protected DstackEngine start() {
        return start(false);
    }

    protected DstackEngine start(boolean localFleet) {
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localFleet(localFleet)
                .sweepInterval(Duration.ofMillis(200)).clock(clock)
                .remoteHosts(connector(dir.resolve("server/ssh/known_hosts"))).build();
        return engine;
    }

    /** Stops the engine as a killed server would leave things, and starts a new one on the same directory. */
    protected DstackEngine restart() {
        engine.close();
        engine = null;
        return start();
    }

    protected Caller admin() {
        return engine.app().authenticate(engine.adminToken());
    }

    /** Creates the backend through the application layer, as {@code backends/create} does. */
    protected void configure(String extraJson) {
        engine.app().createBackend(admin(), engine.defaultProject(), backendJson(extraJson));
    }

    /** The backend as {@code backends/create} takes it: the configuration with its {@code creds}. */
    protected ObjectNode backendJson(String extraJson) {
        BackendConfiguration c = configuration(engine.defaultProject(), extraJson);
        ObjectNode json = c.config().deepCopy();
        json.set("creds", c.creds());
        return json;
    }

    /** The backend itself, behind the engine's back. */
    protected Backend backend(String extraJson) {
        return BackendProviders.find(backendType()).orElseThrow()
                .create(configuration(engine.defaultProject(), extraJson));
    }

    protected static TaskConfiguration task(String yaml) {
        return DstackYaml.parse(yaml, "task.dstack.yml", TaskConfiguration.class);
    }

    protected static FleetConfiguration fleet(String yaml) {
        return DstackYaml.parse(yaml, "fleet.dstack.yml", FleetConfiguration.class);
    }

    protected Run finished(TaskConfiguration task) {
        return engine.awaitFinished(engine.applyRun(task).runSpec().runName(), WAIT);
    }

    /** Waits until the fleet has {@code count} instances, all idle. */
    protected void awaitIdleNodes(String fleetName, int count) {
        await().atMost(WAIT).until(() -> engine.getFleet(engine.defaultProject(), fleetName).instances(),
                list -> list.size() == count && list.stream().allMatch(i -> i.status() == InstanceStatus.IDLE));
    }

    protected void awaitNothingLeft() {
        await().atMost(WAIT).untilAsserted(() -> assertThat(leftovers()).isEmpty());
    }

    // ---- what every cloud does ----

    @Test
    void badCredentialsAreRefusedAndNothingIsStored() {
        start();
        ObjectNode json = backendJson(null);
        breakCredentials(json);
        assertThatThrownBy(() -> engine.app().createBackend(admin(), engine.defaultProject(), json))
                .isInstanceOfSatisfying(DstackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
                    assertThat(e.getMessage()).contains("Invalid credentials").contains(credentialErrorWords());
                });
        assertThat(engine.getProject(engine.defaultProject()).backends()).isEmpty();
    }

    @Test
    void aTaskGetsAVmRunsThereOverSshAndEverythingMadeForItIsRemovedAfterwards() {
        start();
        configure("{\"tags\": {\"team\": \"ml\"}}");
        Run done = finished(task("type: task\nname: on-cloud\ncommands:\n  - echo hello from the cloud\n"));

        assertThat(done.status()).as(done.latestJobSubmission() == null ? "" : String.valueOf(
                done.latestJobSubmission().terminationReasonMessage())).isEqualTo(RunStatus.DONE);
        assertThat(engine.pollLogs(engine.defaultProject(), "on-cloud").logs()).extracting(LogEvent::text)
                .containsExactly("hello from the cloud\n");
        JobSubmission submission = done.latestJobSubmission();
        assertThat(submission.jobProvisioningData().backend()).isEqualTo(backendType());
        assertThat(submission.jobProvisioningData().hostname()).startsWith("127.");
        assertThat(submission.jobProvisioningData().instanceType().name()).isEqualTo(defaultInstanceType());
        assertTaskVm(done);
        awaitNothingLeft();
    }

    @Test
    void noCapacityTriesTheNextOfferAndFailsListingEveryAttemptWhenNoneHasAny() {
        start();
        configure(null);
        noCapacity(defaultInstanceType(), "*");
        Run done = finished(task("type: task\nname: next-offer\ncommands: [echo ok]\n"));
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().instanceType().name())
                .isNotEqualTo(defaultInstanceType());
        awaitNothingLeft();

        noCapacity("*", "*");
        Run failed = finished(task("type: task\nname: no-capacity\ncommands: [echo no]\nmax_price: "
                + maxPriceForAFewOffers() + "\n"));
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        JobSubmission last = failed.latestJobSubmission();
        assertThat(last.terminationReason())
                .isEqualTo(JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY.wireValue());
        assertThat(last.terminationReasonMessage()).startsWith("All offers failed: " + backendType() + " ")
                .contains(" " + defaultInstanceType() + ": ").contains(noCapacityWords());
        awaitNothingLeft();
    }

    @Test
    void aSpotVmTakenBackEndsTheJobAsInterruptedAndRetryRunsItOnAnotherVm() throws Exception {
        start();
        configure(null);
        Path gate = dir.resolve("gate");
        engine.applyRun(task("type: task\nname: spot\nspot_policy: spot\nretry:\n  on_events: [interruption]\n"
                + "  duration: 1h\ncommands:\n  - echo start\n  - while [ ! -e " + gate + " ]; do sleep 0.05; done\n"
                + "  - echo end\n"));
        await().atMost(WAIT).until(() -> engine.pollLogs(engine.defaultProject(), "spot").logs().size() == 1);
        String first = liveVms().get(0);
        assertSpot(first);

        interrupt(first);
        await().atMost(WAIT).until(() -> liveVms().stream().anyMatch(vm -> !vm.equals(first)));
        Files.writeString(gate, "go");
        Run done = engine.awaitFinished("spot", WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        List<JobSubmission> submissions = done.jobs().get(0).jobSubmissions();
        assertThat(submissions).hasSize(2);
        assertThat(submissions.get(0).terminationReason())
                .isEqualTo(JobTerminationReason.INTERRUPTED_BY_NO_CAPACITY.wireValue());
        assertThat(submissions.get(1).jobProvisioningData().instanceId()).isNotEqualTo(first);
        awaitNothingLeft();
    }

    @Test
    void aClusterFleetGetsTheCloudsPlacementAndDeletingItRemovesEverything() {
        start();
        configure(null);
        engine.applyFleet(fleet("type: fleet\nname: cluster\nnodes: 2\nplacement: cluster\n"
                + "idle_duration: 1h\nresources:\n  cpu: 2..\n  memory: 8GB..\n"));
        awaitIdleNodes("cluster", 2);
        assertThat(liveVms()).hasSize(2);
        assertClusterPlacement();
        engine.deleteFleets(engine.defaultProject(), List.of("cluster"));
        awaitNothingLeft();
    }

    @Test
    void aVmLeftByAKilledServerIsRemovedAtStart() {
        start();
        configure(null);
        // a VM made for the project and never recorded (the server died between the cloud call and the write)
        try (Backend backend = backend(null)) {
            var offer = backend.offers(OfferRequirements.any()).get(0);
            backend.createInstance(offer, new InstanceConfiguration("main", "lost-0", "admin", "lost",
                    List.of(JobSshKeys.generate().publicKey()), Map.of(), null, null));
        }
        assertThat(liveVms()).hasSize(1);
        restart();
        awaitNothingLeft();
    }
}
