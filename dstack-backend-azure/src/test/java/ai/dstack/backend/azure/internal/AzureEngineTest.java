package ai.dstack.backend.azure.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.backend.azure.testing.AzureTestBackends;
import ai.dstack.backend.azure.testing.FakeArm;
import ai.dstack.backend.azure.testing.FakeArmSubscription;
import ai.dstack.backend.ssh.testing.FakeCloudHosts;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.host.RemoteHostConnector;
import ai.dstack.testing.CloudEngineContract;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine with an {@code azure} backend on the fake ARM and no local fleet: what every cloud does
 * ({@link CloudEngineContract}: everything made for a VM deleted afterwards, eviction retried, a proximity placement
 * group for cluster fleets, clean-up by tags), and plans listing Azure offers with SKU restrictions as availability.
 */
class AzureEngineTest extends CloudEngineContract {
    private final FakeArm arm = FakeArm.shared();
    private FakeArmSubscription subscription;

    @Override
    protected String backendType() {
        return "azure";
    }

    @Override
    protected void newCloudAccount() {
        subscription = arm.newSubscription();
    }

    @Override
    protected BackendConfiguration configuration(String project, String extraJson) {
        return AzureTestBackends.configuration(subscription, project, extraJson);
    }

    @Override
    protected RemoteHostConnector connector(Path knownHosts) {
        return FakeCloudHosts.connector(knownHosts);
    }

    @Override
    protected List<String> leftovers() {
        return subscription.leftovers();
    }

    @Override
    protected List<String> liveVms() {
        return subscription.vms().stream().map(vm -> vm.name).toList();
    }

    @Override
    protected void breakCredentials(ObjectNode backendJson) {
        subscription.rotateSecret();
    }

    @Override
    protected String credentialErrorWords() {
        return "AADSTS7000215";
    }

    @Override
    protected void noCapacity(String instanceType, String zone) {
        subscription.noCapacity(instanceType, zone);
    }

    @Override
    protected String defaultInstanceType() {
        return "Standard_B2ms";
    }

    @Override
    protected String maxPriceForAFewOffers() {
        return "0.09";
    }

    @Override
    protected List<String> noCapacityWords() {
        return List.of("All offers failed: azure eastus Standard_B2ms: ", "AllocationFailed");
    }

    @Override
    protected void assertSpot(String vm) {
        var properties = subscription.vm(vm).body.path("properties");
        assertThat(properties.path("priority").asText()).isEqualTo("Spot");
        assertThat(properties.path("evictionPolicy").asText()).isEqualTo("Delete");
    }

    @Override
    protected void interrupt(String vm) {
        subscription.evict(vm);
    }

    @Override
    protected void assertClusterPlacement() {
        List<String> groups = subscription.leftovers().stream()
                .filter(r -> r.startsWith("Microsoft.Compute/proximityPlacementGroups/")).toList();
        assertThat(groups).singleElement().satisfies(group -> assertThat(subscription.vms()).hasSize(2)
                .allSatisfy(vm -> assertThat(vm.body.path("properties").path("proximityPlacementGroup").path("id")
                        .asText()).endsWith("/" + group.substring(group.lastIndexOf('/') + 1))));
    }

    @Override
    protected void assertTaskVm(Run done) {
        String created = arm.calls(subscription).stream().filter(c -> c.method().equals("PUT")
                && c.path().contains("/Microsoft.Compute/virtualMachines/")).findFirst().orElseThrow().body();
        assertThat(created).contains("\"dstack_run\":\"on-cloud\"", "\"team\":\"ml\"", "\"owner\":\"dstack\"",
                "/home/ubuntu/.ssh/authorized_keys", "StandardSSD_LRS", "\"zones\":[\"1\"]",
                "\"communityGalleryImageId\":\"/CommunityGalleries/" + FakeArmSubscription.DSTACK_GALLERY
                        + "/Images/dstack-0.14\"");
        String nsg = arm.calls(subscription).stream().filter(c -> c.method().equals("PUT")
                && c.path().contains("/networkSecurityGroups/")).findFirst().orElseThrow().body();
        assertThat(nsg).contains("\"destinationPortRange\":\"22\"", "\"access\":\"Allow\"");
        assertThat(subscription.groupNames()).containsExactly("dstack-main");
        awaitNothingLeft();
        assertThat(arm.requests(subscription)).anyMatch(r -> r.matches(
                "DELETE /resourceGroups/dstack-main/providers/Microsoft.Compute/virtualMachines/.*"))
                .anyMatch(r -> r.matches("DELETE .*/networkSecurityGroups/dstack-main-eastus-ssh"));
    }

    @Test
    void thePlanListsAzureOffersCheapestFirstFilteredByTheRun() {
        start();
        configure(null);
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
    void offersOfAFamilyWithoutQuotaShowNoQuotaAndNoVmIsTriedForThem() {
        start();
        configure(null);
        subscription.zeroQuota("Standard_NC4as_T4_v3");
        var t4 = task("type: task\nname: t4\ncommands: [nvidia-smi]\n"
                + "resources:\n  gpu: T4:1\nspot_policy: on-demand\nmax_price: 1.0\n");
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(t4).build());
        assertThat(plan.jobPlans().get(0).offers()).extracting(o -> o.instance().name() + " " + o.availability())
                .containsExactly("Standard_NC4as_T4_v3 NO_QUOTA", "Standard_NC8as_T4_v3 NO_QUOTA");
        assertThat(arm.requests(subscription)).anyMatch(r -> r.matches(
                "GET /providers/Microsoft.Compute/locations/eastus/usages"));
        assertThat(finished(t4).status()).isEqualTo(RunStatus.FAILED);
        assertThat(subscription.vms()).isEmpty();
    }

    @Test
    void availabilityZonesKeepAzureOffersInThoseZonesAndTheVmIsMadeThere() {
        start();
        configure(null);
        subscription.restrictZone("Standard_B2ms", "eastus", "3");
        var zoned = task("type: task\nname: zoned\ncommands: [echo hi]\navailability_zones: [\"3\", \"2\"]\n"
                + "instance_types: [Standard_B2ms]\nspot_policy: on-demand\n");
        RunPlan plan = engine.getRunPlan(engine.defaultProject(), RunSpec.newBuilder().configuration(zoned).build());
        assertThat(plan.jobPlans().get(0).offers()).singleElement().satisfies(o -> {
            assertThat(o.instance().name()).isEqualTo("Standard_B2ms");
            assertThat(o.availabilityZones()).containsExactly("2");
        });
        Run done = finished(zoned);
        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.latestJobSubmission().jobProvisioningData().availabilityZone()).isEqualTo("2");
        assertThat(arm.calls(subscription)).filteredOn(c -> c.method().equals("PUT")
                && c.path().contains("/virtualMachines/")).singleElement()
                .satisfies(c -> assertThat(c.body()).contains("\"zones\":[\"2\"]"));
        awaitNothingLeft();
    }
}
