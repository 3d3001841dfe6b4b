package ai.dstack.backend.azure.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.offer.InstanceAvailability;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.backend.azure.testing.AzureTestBackends;
import ai.dstack.backend.azure.testing.FakeArm;
import ai.dstack.backend.azure.testing.FakeArmSubscription;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.backend.VolumeRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Azure zones and images on the fake ARM: offers carry the zones the resource SKUs give their size (less the
 * restricted ones), VMs and disks are made in a zone, and VMs boot dstack's community-gallery image for their kind or
 * the configured one, each looked up first and refused by name when it does not exist.
 */
class AzureZonesAndImagesTest {
    private static final String SIZE = "Standard_B2ms";

    private final FakeArm arm = FakeArm.shared();
    private final JobSshKey key = JobSshKeys.generate();
    private FakeArmSubscription subscription;
    private Backend backend;

    @BeforeEach
    void setUp() {
        subscription = arm.newSubscription();
        backend = AzureTestBackends.backend(subscription, "main", null);
    }

    @AfterEach
    void tearDown() {
        backend.close();
    }

    private InstanceConfiguration config(String name) {
        return new InstanceConfiguration("main", name, "admin", null, List.of(key.publicKey()), Map.of(), null, null);
    }

    private InstanceOfferWithAvailability offer(Backend b, String size) {
        return onDemand(b.offers(OfferRequirements.any()), size);
    }

    private static InstanceOfferWithAvailability onDemand(List<InstanceOfferWithAvailability> offers, String size) {
        return offers.stream().filter(o -> o.instance().name().equals(size) && !o.instance().resources().spot())
                .findFirst().orElseThrow();
    }

    private static InstanceOfferWithAvailability inZones(InstanceOfferWithAvailability o, List<String> zones) {
        return new InstanceOfferWithAvailability(o.backend(), o.instance(), o.region(), o.price(), o.backendData(),
                o.availability(), zones, o.instanceRuntime(), o.blocks(), o.totalBlocks());
    }

    @Test
    void offersCarryTheSkusZonesLessTheRestrictedOnes() {
        subscription.restrictZone(SIZE, "eastus", "1");
        subscription.restrictZone("Standard_D4s_v5", "eastus", "1")
                .restrictZone("Standard_D4s_v5", "eastus", "2")
                .restrictZone("Standard_D4s_v5", "eastus", "3");
        List<InstanceOfferWithAvailability> offers = backend.offers(OfferRequirements.any());
        assertThat(offer(backend, SIZE).availabilityZones()).containsExactly("2", "3");
        assertThat(offer(backend, SIZE).availability()).isEqualTo(InstanceAvailability.AVAILABLE);
        assertThat(onDemand(offers, "Standard_D2s_v5").availabilityZones()).containsExactly("1", "2", "3");
        // every zone restricted: the size cannot be made in the location
        assertThat(offers).filteredOn(o -> o.instance().name().equals("Standard_D4s_v5")).isNotEmpty()
                .allSatisfy(o -> {
                    assertThat(o.availability()).isEqualTo(InstanceAvailability.NOT_AVAILABLE);
                    assertThat(o.availabilityZones()).isNull();
                });
    }

    @Test
    void theVmIsMadeInTheOffersFirstZoneAndInTheNextWhenThatHasNoCapacity() {
        subscription.noCapacity(SIZE, "eastus/2");
        ProvisioningData vm = backend.createInstance(inZones(offer(backend, SIZE), List.of("2", "3")),
                config("zonal-0"));
        assertThat(vm.availabilityZone()).isEqualTo("3");
        assertThat(subscription.vm(vm.instanceId()).body.path("zones").toString()).isEqualTo("[\"3\"]");
        assertThat(arm.calls(subscription)).filteredOn(c -> c.method().equals("PUT")
                && c.path().contains("/virtualMachines/")).extracting(c -> c.body().contains("\"zones\":[\"2\"]"))
                .containsExactly(true, false);
        assertThat(backend.terminate(vm)).isTrue();
        assertThat(subscription.leftovers()).isEmpty();
    }

    @Test
    void noCapacityInEveryZoneIsNoCapacityAndLeavesNothing() {
        subscription.noCapacity(SIZE, "eastus/1").noCapacity(SIZE, "eastus/2").noCapacity(SIZE, "eastus/3");
        assertThatThrownBy(() -> backend.createInstance(offer(backend, SIZE), config("full-0")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.NO_CAPACITY);
                    assertThat(e.getMessage()).contains("eastus zone 3", "AllocationFailed");
                    assertThat(e.getSuppressed()).hasSize(1);
                });
        assertThat(subscription.leftovers()).isEmpty();
    }

    @Test
    void aDiskIsMadeInTheRequestedZoneOrTheLocationsFirstAndAnUnknownZoneIsRefused() {
        var volumes = backend.volumes().orElseThrow();
        VolumeData chosen = volumes.create(new VolumeRequest("main", "data", "admin", "eastus", "2", 10, null,
                Map.of()));
        assertThat(chosen.availabilityZone()).isEqualTo("2");
        assertThat(subscription.disk(chosen.volumeId()).path("zones").toString()).isEqualTo("[\"2\"]");
        VolumeData any = volumes.create(new VolumeRequest("main", "data2", "admin", "eastus", null, 10, null,
                Map.of()));
        assertThat(any.availabilityZone()).isEqualTo("1");
        assertThat(volumes.create(new VolumeRequest("main", "reg", "admin", "eastus", null, null, chosen.volumeId(),
                Map.of())).availabilityZone()).isEqualTo("2");
        assertThatThrownBy(() -> volumes.create(new VolumeRequest("main", "bad", "admin", "eastus", "eastus-1", 10,
                null, Map.of()))).hasMessageContaining("availability_zone: 'eastus-1' is not an availability zone of "
                        + "eastus (its zones: 1, 2, 3)");
        volumes.delete(chosen);
        volumes.delete(any);
        assertThat(subscription.leftovers()).isEmpty();
    }

    @Test
    void dstacksImageIsPickedPerKindAsDstackPicksIt() {
        List<InstanceOfferWithAvailability> offers = backend.offers(OfferRequirements.any());
        assertThat(AzureImages.dstackImage(onDemand(offers, SIZE).instance())).isEqualTo("dstack-0.14");
        assertThat(AzureImages.dstackImage(onDemand(offers, "Standard_NC4as_T4_v3").instance()))
                .isEqualTo("dstack-cuda-0.14");
        // V100 predates Turing: the image with NVIDIA's proprietary kernel modules
        assertThat(AzureImages.dstackImage(onDemand(offers, "Standard_NC6s_v3").instance()))
                .isEqualTo("dstack-cuda-0.10");
        assertThat(AzureImages.dstackImage(onDemand(offers, "Standard_NV36ads_A10_v5").instance()))
                .isEqualTo("dstack-grid-0.14");
        ProvisioningData vm = backend.createInstance(offer(backend, SIZE), config("img-0"));
        assertThat(subscription.vm(vm.instanceId()).body.path("properties").path("storageProfile")
                .path("imageReference").path("communityGalleryImageId").asText())
                .isEqualTo("/CommunityGalleries/" + FakeArmSubscription.DSTACK_GALLERY + "/Images/dstack-0.14");
        assertThat(arm.requests(subscription)).contains("GET /providers/Microsoft.Compute/locations/eastus/"
                + "communityGalleries/" + FakeArmSubscription.DSTACK_GALLERY + "/images/dstack-0.14");
        assertThat(backend.terminate(vm)).isTrue();
    }

    @Test
    void dstacksImageMissingInTheLocationIsRefusedBeforeAnythingIsMade() {
        subscription.unpublishGalleryImage(FakeArmSubscription.DSTACK_GALLERY, "dstack-0.14", "eastus");
        assertThatThrownBy(() -> backend.createInstance(offer(backend, SIZE), config("none-0")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.NOT_FOUND);
                    assertThat(e.getMessage()).contains("dstack's image dstack-0.14", "is not published in eastus",
                            "set os_images");
                });
        assertThat(subscription.leftovers()).isEmpty();
    }

    @Test
    void configuredImagesAreLookedUpAndAMissingOneIsRefusedNamingTheField() {
        subscription.existingImage("images-rg", "golden", "eastus");
        String golden = "/subscriptions/" + subscription.id()
                + "/resourceGroups/images-rg/providers/Microsoft.Compute/images/golden";
        try (Backend custom = AzureTestBackends.backend(subscription, "main", "{\"os_images\": {\"cpu\": "
                + "{\"name\": \"" + golden + "\", \"user\": \"ops\"}}}")) {
            ProvisioningData vm = custom.createInstance(offer(custom, SIZE), config("golden-0"));
            assertThat(vm.username()).isEqualTo("ops");
            assertThat(subscription.vm(vm.instanceId()).body.path("properties").path("storageProfile")
                    .path("imageReference").path("id").asText()).isEqualTo(golden);
            assertThat(custom.terminate(vm)).isTrue();
        }
        String[] missing = {
            "/subscriptions/" + subscription.id() + "/resourceGroups/images-rg/providers/Microsoft.Compute/images/gone",
            "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:1.0.0",
            "Debian:debian-12:12-gen2:latest",
            "/CommunityGalleries/someone-else/Images/theirs"};
        for (String name : missing) {
            try (Backend custom = AzureTestBackends.backend(subscription, "main", "{\"os_images\": {\"cpu\": "
                    + "{\"name\": \"" + name + "\", \"user\": \"ops\"}}}")) {
                assertThatThrownBy(() -> custom.createInstance(offer(custom, SIZE), config("missing-0")))
                        .isInstanceOfSatisfying(BackendException.class, e -> {
                            assertThat(e.failure()).isEqualTo(BackendFailure.INVALID_CONFIGURATION);
                            assertThat(e.getMessage()).contains("azure backend: os_images.cpu.name '" + name
                                    + "' does not exist in eastus");
                        });
            }
        }
        try (Backend latest = AzureTestBackends.backend(subscription, "main", "{\"os_images\": {\"cpu\": "
                + "{\"name\": \"Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest\", \"user\": \"u\"}}}")) {
            ProvisioningData vm = latest.createInstance(offer(latest, SIZE), config("latest-0"));
            assertThat(latest.terminate(vm)).isTrue();
        }
        assertThat(subscription.vms()).isEmpty();
        assertThat(subscription.leftovers()).containsExactly("Microsoft.Compute/images/golden");
    }
}
