package ai.dstack.backend.gcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.backend.gcp.testing.FakeGce;
import ai.dstack.backend.gcp.testing.FakeGceProject;
import ai.dstack.backend.gcp.testing.GcpTestBackends;
import ai.dstack.backend.ssh.testing.FakeCloudHosts;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.testing.CloudEngineContract;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine with a {@code gcp} backend on the fake GCE and no local fleet: what every cloud does
 * ({@link CloudEngineContract}: VMs deleted with the SSH firewall rule, preemption retried, a compact placement
 * policy for cluster fleets, clean-up by labels), and plans listing GCP offers with their zones.
 */
class GcpEngineTest extends CloudEngineContract {
    private final FakeGce gce = FakeGce.shared();
    private FakeGceProject project;

    @Override
    protected String backendType() {
        return "gcp";
    }

    @Override
    protected void newCloudAccount() {
        project = gce.newProject();
    }

    @Override
    protected BackendConfiguration configuration(String dstackProject, String extraJson) {
        return GcpTestBackends.configuration(project, dstackProject, extraJson);
    }

    @Override
    protected RemoteHostConnector connector(Path knownHosts) {
        return FakeCloudHosts.connector(knownHosts);
    }

    @Override
    protected List<String> leftovers() {
        return project.leftovers();
    }

    @Override
    protected List<String> liveVms() {
        return project.vms().stream().map(vm -> vm.name).toList();
    }

    @Override
    protected void breakCredentials(ObjectNode backendJson) {
        project.revokeKey();
    }

    @Override
    protected String credentialErrorWords() {
        return "invalid_grant";
    }

    @Override
    protected void noCapacity(String instanceType, String zone) {
        project.noCapacity(instanceType, zone);
    }

    @Override
    protected String defaultInstanceType() {
        return "e2-standard-2";
    }

    @Override
    protected String maxPriceForAFewOffers() {
        return "0.07";
    }

    @Override
    protected List<String> noCapacityWords() {
        return List.of("All offers failed: gcp us-central1 e2-standard-2: ", "ZONE_RESOURCE_POOL_EXHAUSTED",
                "us-central1-a", "us-central1-f");
    }

    @Override
    protected void assertSpot(String vm) {
        assertThat(project.vm(vm).body.path("scheduling").path("provisioningModel").asText()).isEqualTo("SPOT");
    }

    @Override
    protected void interrupt(String vm) {
        project.preempt(vm);
    }

    @Override
    protected void assertClusterPlacement() {
        assertThat(project.policyNames()).singleElement().satisfies(name -> {
            assertThat(project.policy(name).path("groupPlacementPolicy").path("collocation").asText())
                    .isEqualTo("COLLOCATED");
            assertThat(project.vms()).hasSize(2).allSatisfy(vm -> assertThat(
                    vm.body.path("resourcePolicies").get(0).asText()).endsWith("/resourcePolicies/" + name));
        });
    }

    @Override
    protected void assertTaskVm(Run done) {
        List<String> requests = gce.requests(project);
        assertThat(requests).contains("POST /global/firewalls").anyMatch(r -> r.matches("POST /zones/us-central1-a/instances"));
        String inserted = gce.calls(project).stream().filter(c -> c.method().equals("POST")
                && c.path().endsWith("/zones/us-central1-a/instances")).findFirst().orElseThrow().body();
        assertThat(inserted).contains("\"dstack_run\":\"on-cloud\"", "\"team\":\"ml\"", "\"ssh-keys\"",
                "ubuntu-2204-lts", "ONE_TO_ONE_NAT");
        awaitNothingLeft();
        assertThat(gce.requests(project)).anyMatch(r -> r.matches("DELETE /zones/us-central1-a/instances/.*"))
                .contains("DELETE /global/firewalls/dstack-main-ssh");
    }

    @Test
    void thePlanListsGcpOffersCheapestFirstFilteredByTheRun() {
        start();
        configure(null);
        RunSpec spec = RunSpec.newBuilder().configuration(task("type: task\ncommands: [nvidia-smi]\n"
                + "resources:\n  gpu: L4:1\nspot_policy: on-demand\nmax_price: 1.0\n")).build();
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), spec);
        List<InstanceOfferWithAvailability> offers = plan.jobPlans().get(0).offers();
        assertThat(offers).extracting(o -> o.backend() + " " + o.region() + " " + o.instance().name())
                .containsExactly("gcp us-central1 g2-standard-4", "gcp us-central1 g2-standard-8");
        assertThat(offers.get(0).availabilityZones()).contains("us-central1-a");
    }

    @Test
    void aTaskOnATpuRunsOnATpuVmAndNothingIsLeft() {
        start();
        configure(null);
        Run done = finished(task("type: task\nname: on-tpu\ncommands: [echo on-tpu]\nresources:\n"
                + "  gpu: v5litepod:1\nspot_policy: on-demand\n"));
        assertThat(done.status()).as(String.valueOf(done.latestJobSubmission().terminationReasonMessage()))
                .isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().instanceType().name()).isEqualTo("v5litepod-1");
        assertThat(engine.pollLogs(engine.defaultProject(), "on-tpu").logs()).extracting(LogEvent::text)
                .containsExactly("on-tpu\n");
        assertThat(gce.calls(project)).anyMatch(c -> c.method().equals("POST")
                && c.path().endsWith("/locations/us-central1-a/nodes"));
        assertThat(project.vms()).isEmpty();
        awaitNothingLeft();
    }
}
