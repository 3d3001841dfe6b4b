package ai.dstack.backend.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.event.Event;
import ai.dstack.api.event.ListEventsRequest;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.JobTerminationReason;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.backend.aws.testing.AwsTestBackends;
import ai.dstack.backend.aws.testing.FakeEc2;
import ai.dstack.backend.aws.testing.FakeEc2Account;
import ai.dstack.backend.ssh.testing.FakeCloudHosts;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.testing.CloudEngineContract;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine with an {@code aws} backend on the fake EC2 and no local fleet: what every cloud does
 * ({@link CloudEngineContract}), and AWS's own: plans list AWS offers filtered by the run, a cloud fleet's idle VMs
 * serve runs and go after {@code idle_duration}.
 */
class AwsEngineTest extends CloudEngineContract {
    private final FakeEc2 ec2 = FakeEc2.shared();
    private FakeEc2Account account;

    @Override
    protected String backendType() {
        return "aws";
    }

    @Override
    protected void newCloudAccount() {
        account = ec2.newAccount();
    }

    @Override
    protected BackendConfiguration configuration(String project, String extraJson) {
        return AwsTestBackends.configuration(account, project, extraJson);
    }

    @Override
    protected RemoteHostConnector connector(Path knownHosts) {
        return FakeCloudHosts.connector(knownHosts);
    }

    @Override
    protected List<String> leftovers() {
        return account.leftovers();
    }

    @Override
    protected List<String> liveVms() {
        return account.liveInstances().stream().map(i -> i.id).toList();
    }

    @Override
    protected void breakCredentials(ObjectNode backendJson) {
        ((ObjectNode) backendJson.get("creds")).put("access_key", "AKIAUNKNOWN");
    }

    @Override
    protected String credentialErrorWords() {
        return "Invalid credentials";
    }

    @Override
    protected void noCapacity(String instanceType, String zone) {
        account.noCapacity(instanceType, zone);
    }

    @Override
    protected String defaultInstanceType() {
        return "t3.large"; // the cheapest with dstack's default 2 CPUs and 8 GB
    }

    @Override
    protected String maxPriceForAFewOffers() {
        return "0.1"; // t3.large and m5.large
    }

    @Override
    protected List<String> noCapacityWords() {
        return List.of("All offers failed: aws us-east-1 t3.large: ", "InsufficientInstanceCapacity", "us-east-1a",
                "us-east-1b", "; aws us-east-1 m5.large: ");
    }

    @Override
    protected void assertSpot(String vm) {
        assertThat(account.instance(vm).spot).isTrue();
    }

    @Override
    protected void interrupt(String vm) {
        account.interrupt(vm);
    }

    @Override
    protected void assertClusterPlacement() {
        assertThat(account.placementStrategy("cluster-pg")).isEqualTo("cluster");
        assertThat(account.liveInstances()).hasSize(2)
                .allSatisfy(vm -> assertThat(vm.placementGroup).isEqualTo("cluster-pg"))
                .allSatisfy(vm -> assertThat(vm.request()).as("t3 has no EFA")
                        .doesNotContainKey("NetworkInterface.1.InterfaceType"));
    }

    @Override
    protected void assertTaskVm(Run done) {
        assertThat(account.allInstances()).singleElement().satisfies(vm -> {
            assertThat(vm.tags).containsEntry("dstack_project", "main").containsEntry("dstack_run", "on-cloud")
                    .containsEntry("team", "ml");
            assertThat(vm.type).isEqualTo("t3.large");
        });
        // The VM's life is in the events, as dstack records it: made, reachable, ended.
        await().atMost(WAIT).untilAsserted(() -> assertThat(engine.listEvents(
                ListEventsRequest.all(100).ascending(true).includeTargetTypes(List.of("instance"))))
                .extracting(Event::message)
                .containsSubsequence("Instance created. Status: PENDING", "Instance status changed PENDING -> PROVISIONING",
                        "Instance status changed PROVISIONING -> PENDING")
                .anySatisfy(message -> assertThat(message).endsWith("-> TERMINATED")));
    }

    @Test
    void thePlanListsAwsOffersCheapestFirstFilteredByTheRun() {
        start();
        configure(null);
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
        configure(null);

        Run local = finished(plain);
        assertThat(local.status()).isEqualTo(RunStatus.DONE);
        assertThat(local.latestJobSubmission().jobProvisioningData().backend()).as("free, on-demand, first")
                .isEqualTo("remote");

        RunPlan plan = engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(onAws).build());
        assertThat(plan.jobPlans().get(0).offers()).extracting(o -> o.backend() + " " + o.region() + " "
                + o.instance().name()).containsExactly("aws us-east-1 m5.large");
        Run done = finished(onAws);
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
    void aCloudFleetsIdleVmsServeRunsAndGoAfterIdleDuration() throws Exception {
        start();
        configure(null);
        engine.applyFleet(fleet("type: fleet\nname: cluster\nnodes: 2\nplacement: cluster\n"
                + "idle_duration: 1h\nresources:\n  cpu: 2..\n  memory: 8GB..\n"));
        awaitIdleNodes("cluster", 2);
        assertClusterPlacement();
        assertThat(engine.getFleet(engine.defaultProject(), "cluster").instances()).allSatisfy(i -> assertThat(i.backend()).isEqualTo("aws"));

        Run done = finished(task("type: task\nname: on-fleet\nfleets: [cluster]\ncommands: [echo on the fleet]\n"));
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().backend()).isEqualTo("aws");
        assertThat(account.allInstances()).as("the run used the fleet's VMs").hasSize(2);
        assertThat(account.liveInstances()).as("idle_duration has not passed").hasSize(2);

        // idle_duration does not take a fleet below nodes.min (dstack keeps those)
        clock.advance(Duration.ofMinutes(61));
        Thread.sleep(2_000); // ten sweeps, two idle checks
        assertThat(account.liveInstances()).hasSize(2);
        assertThat(account.placementGroupNames()).containsExactly("cluster-pg");
        // a run limited to the fleet gets no VM of its own when the fleet cannot take it
        Run noRoom = finished(task("type: task\nname: fleet-only\nfleets: [cluster]\ncommands: [echo no]\n"
                + "resources:\n  cpu: 64..\n"));
        assertThat(noRoom.status()).isEqualTo(RunStatus.FAILED);
        assertThat(noRoom.latestJobSubmission().terminationReason())
                .isEqualTo(JobTerminationReason.FAILED_TO_START_DUE_TO_NO_CAPACITY.wireValue());
        assertThat(account.allInstances()).as("no VM was made for it").hasSize(2);
        engine.deleteFleets(engine.defaultProject(), List.of("cluster"));
        awaitNothingLeft();
    }

    @Test
    void aFleetBelowNodesMinGetsNewVmsWhenOneIsTerminatedOutsideOrTakenBack() {
        start();
        configure(null);
        engine.applyFleet(fleet("type: fleet\nname: kept\nnodes: 2\nidle_duration: 1h\n"));
        awaitIdleNodes("kept", 2);
        List<String> first = liveVms();

        account.terminateOutside(first.get(0));
        await().atMost(WAIT).until(() -> liveVms().size() == 2 && !liveVms().contains(first.get(0)));
        awaitIdleNodes("kept", 2);
        assertThat(engine.getFleet(engine.defaultProject(), "kept").instances())
                .extracting(ai.dstack.api.instance.Instance::name).containsExactlyInAnyOrder("kept-0", "kept-1");

        List<String> second = liveVms();
        interrupt(second.get(1));
        await().atMost(WAIT).until(() -> liveVms().size() == 2 && !liveVms().contains(second.get(1)));
        awaitIdleNodes("kept", 2);
        assertThat(account.allInstances()).hasSize(4);
        engine.deleteFleets(engine.defaultProject(), List.of("kept"));
        awaitNothingLeft();
        assertThat(account.allInstances()).as("none made after the delete").hasSize(4);
    }

    @Test
    void aFleetVmThatKeepsFailingIsRetriedWithBackoffAndTheCloudsWordsAreKept() throws Exception {
        start();
        configure(null);
        account.noCapacity("*", "*");
        engine.applyFleet(fleet("type: fleet\nname: unlucky\nnodes: 1\nmax_price: 0.1\n"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(engine.getFleet(engine.defaultProject(), "unlucky")
                .statusMessage()).contains("unlucky-0", "InsufficientInstanceCapacity", "t3.large", "m5.large"));
        assertThat(engine.getFleet(engine.defaultProject(), "unlucky").instances()).singleElement()
                .satisfies(i -> assertThat(i.status()).isEqualTo(ai.dstack.api.instance.InstanceStatus.TERMINATED));
        long once = runInstancesCalls();
        assertThat(once).isPositive();

        Thread.sleep(2_000); // ten sweeps: no new try before a minute has passed
        assertThat(runInstancesCalls()).isEqualTo(once);
        clock.advance(Duration.ofSeconds(61));
        await().atMost(WAIT).until(() -> runInstancesCalls() == 2 * once);
        await().atMost(WAIT).untilAsserted(() -> assertThat(fleetEvents())
                .anySatisfy(m -> assertThat(m).startsWith("Fleet instance failed (2 in a row), next try after")));

        clock.advance(Duration.ofSeconds(61)); // the second wait is two minutes
        Thread.sleep(2_000);
        assertThat(runInstancesCalls()).isEqualTo(2 * once);

        account.capacityBack();
        clock.advance(Duration.ofSeconds(61));
        awaitIdleNodes("unlucky", 1);
        assertThat(engine.getFleet(engine.defaultProject(), "unlucky").statusMessage()).as("it came up").isNull();
        engine.deleteFleets(engine.defaultProject(), List.of("unlucky"));
        awaitNothingLeft();
    }

    private long runInstancesCalls() {
        return ec2.actions(account).stream().filter("RunInstances"::equals).count();
    }

    private List<String> fleetEvents() {
        return engine.listEvents(ListEventsRequest.all(100).ascending(true).includeTargetTypes(List.of("fleet")))
                .stream().map(Event::message).toList();
    }

    @Test
    void aCloudFleetNeedsABackendAndFieldsWithoutEffectAreRefusedByName() {
        start();
        var fleet = fleet("type: fleet\nname: f\nnodes: 1\n");
        assertThatThrownBy(() -> engine.applyFleet(fleet)).hasMessageContaining("needs a cloud backend")
                .hasMessageContaining("project main has none");
        configure(null);
        assertThatThrownBy(() -> engine.applyFleet(fleet("type: fleet\nname: f\nnodes: 1\nblocks: 2\n")))
                .hasMessageContaining("Cloud fleets do not support blocks yet");
        assertThat(account.allInstances()).isEmpty();
    }

    @Test
    void availabilityZonesNarrowOffersAndPutRunAndFleetVmsOnlyThere() {
        start();
        configure(null);
        var zoned = task("type: task\nname: zoned\navailability_zones: [us-east-1b]\ncommands: [echo zoned]\n");
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(zoned).build());
        assertThat(plan.jobPlans().get(0).offers()).isNotEmpty()
                .allSatisfy(o -> assertThat(o.availabilityZones()).containsExactly("us-east-1b"));
        Run done = finished(zoned);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().availabilityZone()).isEqualTo("us-east-1b");

        var nowhere = task("type: task\nname: nowhere\navailability_zones: [eu-west-1a]\ncommands: [echo no]\n");
        assertThat(engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(nowhere).build())
                .jobPlans().get(0).offers()).isEmpty();
        assertThat(finished(nowhere).status()).isEqualTo(RunStatus.FAILED);

        engine.applyFleet(fleet("type: fleet\nname: in-b\nnodes: 1\navailability_zones: [us-east-1b]\n"));
        awaitIdleNodes("in-b", 1);
        assertThat(account.allInstances()).hasSize(2).allSatisfy(vm -> assertThat(vm.zone).isEqualTo("us-east-1b"));
        engine.deleteFleets(engine.defaultProject(), List.of("in-b"));
        awaitNothingLeft();
    }

    @Test
    void aReservationNarrowsOffersToItsTypeAndZoneAndItsVmsAreLaunchedIntoIt() {
        start();
        configure(null);
        String reserved = account.addCapacityReservation("us-east-1", "m5.large", "us-east-1b", false);
        String block = account.addCapacityReservation("us-east-1", "g5.xlarge", "us-east-1a", true);
        var onReservation = task("type: task\nname: reserved\nreservation: " + reserved + "\ncommands: [echo r]\n");
        RunPlan plan = engine.getRunPlan(engine.defaultProject(),
                RunSpec.newBuilder().configuration(onReservation).build());
        assertThat(plan.jobPlans().get(0).offers()).extracting(o -> o.backend() + " " + o.region() + " "
                + o.instance().name() + " " + o.availabilityZones()).containsExactly("aws us-east-1 m5.large [us-east-1b]");

        Run done = finished(onReservation);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().reservation()).isEqualTo(reserved);
        assertThat(account.allInstances()).singleElement().satisfies(vm -> {
            assertThat(vm.zone).isEqualTo("us-east-1b");
            assertThat(vm.request()).containsEntry(
                    "CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId", reserved)
                    .doesNotContainKey("InstanceMarketOptions.MarketType");
        });

        Run onBlock = finished(task("type: task\nname: block\nreservation: " + block + "\n"
                + "resources:\n  gpu: A10G:1\ncommands: [echo b]\n"));
        assertThat(onBlock.status()).as(String.valueOf(onBlock.latestJobSubmission().terminationReasonMessage()))
                .isEqualTo(RunStatus.DONE);
        assertThat(account.allInstances()).filteredOn(vm -> vm.type.equals("g5.xlarge")).singleElement()
                .satisfies(vm -> assertThat(vm.request()).containsEntry("InstanceMarketOptions.MarketType",
                        "capacity-block").containsEntry(
                        "CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId", block));

        var unknown = task("type: task\nreservation: cr-0000000000000000\ncommands: [echo no]\n");
        assertThat(engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(unknown).build())
                .jobPlans().get(0).offers()).isEmpty();
        awaitNothingLeft();
    }

    @Test
    void aClusterFleetOfAnEfaTypeGetsEfaNetworkInterfaces() {
        start();
        configure(null);
        engine.applyFleet(fleet("type: fleet\nname: efa\nnodes: 2\nplacement: cluster\n"
                + "instance_types: [g5.12xlarge]\nresources:\n  gpu: A10G:4\n"));
        awaitIdleNodes("efa", 2);
        assertThat(account.liveInstances()).hasSize(2).allSatisfy(vm -> {
            assertThat(vm.type).isEqualTo("g5.12xlarge");
            assertThat(vm.placementGroup).isEqualTo("efa-pg");
            assertThat(vm.request()).containsEntry("NetworkInterface.1.InterfaceType", "efa");
        });
        engine.deleteFleets(engine.defaultProject(), List.of("efa"));
        awaitNothingLeft();
    }

    @Test
    void aMultiCardEfaTypeGetsAnEfaInterfaceOnEveryNetworkCardAndAnElasticIpThatGoesWithIt() {
        start();
        configure(null);
        engine.applyFleet(fleet("type: fleet\nname: p4\nnodes: 1\nplacement: cluster\n"
                + "instance_types: [p4d.24xlarge]\nresources:\n  gpu: A100:8\n"));
        awaitIdleNodes("p4", 1);
        FakeEc2Account.Instance vm = account.liveInstances().get(0);
        // DescribeInstanceTypes says 4 network cards, 4 EFA interfaces: the primary one, then one per further card
        assertThat(vm.interfaces).extracting(n -> n.type() + "@" + n.card() + "/" + n.device())
                .containsExactly("efa@0/0", "efa-only@1/1", "efa-only@2/1", "efa-only@3/1");
        assertThat(vm.interfaces).noneMatch(FakeEc2Account.NetworkInterface::publicIp);
        assertThat(vm.request()).containsEntry("NetworkInterface.2.NetworkCardIndex", "1")
                .containsEntry("NetworkInterface.4.InterfaceType", "efa-only");
        // EC2 gives no public address to several interfaces: the VM was reached through an Elastic IP of its own
        assertThat(account.addresses()).singleElement().satisfies(a -> {
            assertThat(a.instanceId()).isEqualTo(vm.id);
            assertThat(a.tags).containsEntry("dstack_project", "main").containsEntry("dstack_instance", vm.id);
        });
        engine.deleteFleets(engine.defaultProject(), List.of("p4"));
        awaitNothingLeft();
    }

    private void awaitStarted(String runName) {
        await().atMost(WAIT).untilAsserted(() -> {
            Run run = engine.getRun(engine.defaultProject(), runName);
            assertThat(engine.pollLogs(engine.defaultProject(), runName).logs()).as(run.status() + " "
                    + (run.latestJobSubmission() == null ? "" : run.latestJobSubmission().status() + " "
                    + run.latestJobSubmission().terminationReasonMessage()))
                    .extracting(LogEvent::text).contains("started\n");
        });
    }

    @Test
    void aFleetWithANodesRangeGrowsForRunsUpToItsMaximumAndShrinksWhenIdle() throws Exception {
        start();
        configure(null);
        engine.applyFleet(fleet("type: fleet\nname: elastic\nnodes: 0..2\nidle_duration: 1h\n"));
        assertThat(engine.getFleet(engine.defaultProject(), "elastic").instances()).as("nodes.min is 0").isEmpty();
        assertThat(account.allInstances()).isEmpty();

        Path gate = dir.resolve("gate");
        String waiting = "commands:\n  - echo started\n  - while [ ! -e " + gate + " ]; do sleep 0.05; done\n";
        engine.applyRun(task("type: task\nname: first\nfleets: [elastic]\n" + waiting));
        awaitStarted("first");
        engine.applyRun(task("type: task\nname: second\nfleets: [elastic]\n" + waiting));
        awaitStarted("second");
        assertThat(account.liveInstances()).as("one VM per busy run, in the fleet").hasSize(2)
                .allSatisfy(vm -> assertThat(vm.tags).doesNotContainKey("dstack_run"));
        assertThat(engine.getFleet(engine.defaultProject(), "elastic").instances()).hasSize(2);

        engine.applyRun(task("type: task\nname: third\nfleets: [elastic]\ncommands: [echo third]\n"));
        Files.writeString(gate, "go");
        assertThat(engine.awaitFinished("first", WAIT).status()).isEqualTo(RunStatus.DONE);
        assertThat(engine.awaitFinished("second", WAIT).status()).isEqualTo(RunStatus.DONE);
        engine.awaitFinished("third", WAIT);
        assertThat(account.allInstances()).as("never more than nodes.max").hasSize(2);

        clock.advance(Duration.ofMinutes(61));
        await().atMost(WAIT).untilAsserted(() -> assertThat(account.liveInstances()).isEmpty());
        assertThat(engine.getFleet(engine.defaultProject(), "elastic").name()).isEqualTo("elastic");
        engine.deleteFleets(engine.defaultProject(), List.of("elastic"));
        awaitNothingLeft();
    }
}
