package ai.dstack.backend.azure.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.azure.testing.AzureTestBackends;
import ai.dstack.backend.azure.testing.FakeArm;
import ai.dstack.backend.azure.testing.FakeArmSubscription;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.BackendProviders;
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
 * The Azure backend alone on the fake ARM: GPU offers and what a GPU spot VM is created with, quota as quota, an
 * unknown tenant refused, and configuration errors naming the field.
 */
class AzureBackendTest {
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

    private static OfferRequirements gpu(String spec, Boolean spot) {
        ResourcesSpec resources = DstackYaml.parse("type: task\ncommands: [x]\nresources:\n  gpu: " + spec + "\n",
                "t.yml", ai.dstack.api.configuration.TaskConfiguration.class).base().resources();
        return new OfferRequirements(resources, spot, null, List.of(), List.of());
    }

    private InstanceConfiguration config(String name) {
        return new InstanceConfiguration("main", name, "admin", "run", List.of(key.publicKey()), Map.of(), null,
                null);
    }

    @Test
    void aGpuSpotOfferGetsAGpuImageSpotPriorityAndDstacksTags() {
        List<InstanceOfferWithAvailability> offers = backend.offers(gpu("A100:80GB:1", true));
        assertThat(offers).isNotEmpty().allSatisfy(o -> assertThat(o.instance().resources().gpus())
                .singleElement().satisfies(g -> assertThat(g.name()).isEqualTo("A100")));
        InstanceOfferWithAvailability cheapest = offers.get(0);
        assertThat(cheapest.instance().name()).isEqualTo("Standard_NC24ads_A100_v4");
        ProvisioningData vm = backend.createInstance(cheapest, config("gpu-0"));
        FakeArmSubscription.Vm fake = subscription.vm(vm.instanceId());
        assertThat(fake.size()).isEqualTo("Standard_NC24ads_A100_v4");
        assertThat(fake.body.path("properties").path("storageProfile").path("imageReference")
                .path("communityGalleryImageId").asText())
                .isEqualTo("/CommunityGalleries/" + FakeArmSubscription.DSTACK_GALLERY + "/Images/dstack-cuda-0.14");
        assertThat(fake.body.path("properties").path("priority").asText()).isEqualTo("Spot");
        assertThat(fake.tags()).containsEntry("owner", "dstack").containsEntry("dstack_name", "gpu-0")
                .containsEntry("dstack_project", "main");
        assertThat(backend.terminate(vm)).isTrue();
        assertThat(subscription.leftovers()).isEmpty();
    }

    @Test
    void aConfiguredGroupNetworkImageAndPrivateAddressesTakeEffect() {
        subscription.existingNetwork("ml-rg", "ml-net", "eastus").marketplaceImage("Debian:debian-12:12-gen2",
                "0.20241004.1890");
        try (Backend custom = AzureTestBackends.backend(subscription, "main", "{\"resource_group\": \"ml-rg\", "
                + "\"vpc_ids\": {\"eastus\": \"ml-rg/ml-net\"}, \"public_ips\": false, \"os_images\": {\"cpu\": "
                + "{\"name\": \"Debian:debian-12:12-gen2:latest\", \"user\": \"admin\"}}}")) {
            custom.checkCredentials();
            ProvisioningData vm = custom.createInstance(custom.offers(OfferRequirements.any()).get(0),
                    config("custom-0"));
            assertThat(vm.username()).isEqualTo("admin");
            FakeArmSubscription.Vm fake = subscription.vm(vm.instanceId());
            assertThat(fake.body.path("id").asText()).contains("/resourceGroups/ml-rg/");
            assertThat(fake.body.path("properties").path("storageProfile").path("imageReference").path("offer")
                    .asText()).isEqualTo("debian-12");
            assertThat(fake.body.path("properties").path("osProfile").path("adminUsername").asText())
                    .isEqualTo("admin");
            var nic = subscription.resource("Microsoft.Network/networkInterfaces", vm.instanceId() + "-nic");
            assertThat(nic.toString()).contains("/virtualNetworks/ml-net/subnets/default")
                    .doesNotContain("publicIPAddress");
            assertThat(subscription.leftovers()).noneMatch(r -> r.startsWith("Microsoft.Network/publicIPAddresses"))
                    .noneMatch(r -> r.contains("dstack-main-eastus-network"));
            ProvisioningData running = null;
            for (int i = 0; i < 10 && running == null; i++) {
                var status = custom.poll(vm);
                running = status.state() == ai.dstack.spi.backend.InstanceStatus.State.RUNNING ? status.data() : null;
            }
            assertThat(running).isNotNull();
            assertThat(running.hostname()).isEqualTo(running.internalIp()).startsWith("127.");
            assertThat(custom.terminate(vm)).isTrue();
        }
        assertThat(subscription.leftovers()).containsExactly("Microsoft.Network/virtualNetworks/ml-net");
        assertThat(subscription.groupNames()).containsExactly("ml-rg");
    }

    @Test
    void subnetIdsPutTheVmInThatSubnet() {
        subscription.existingNetwork("net-rg", "shared-net", "eastus");
        try (Backend custom = AzureTestBackends.backend(subscription, "main",
                "{\"subnet_ids\": {\"eastus\": \"net-rg/shared-net/default\"}}")) {
            ProvisioningData vm = custom.createInstance(custom.offers(OfferRequirements.any()).get(0),
                    config("subnet-0"));
            assertThat(subscription.resource("Microsoft.Network/networkInterfaces", vm.instanceId() + "-nic")
                    .toString()).contains("/resourceGroups/net-rg/providers/Microsoft.Network/virtualNetworks/"
                            + "shared-net/subnets/default");
            assertThat(custom.terminate(vm)).isTrue();
        }
        assertThat(subscription.leftovers()).containsExactly("Microsoft.Network/virtualNetworks/shared-net");
    }

    @Test
    void aManagedDiskIsAttachedDetachedAndDeleted() {
        ProvisioningData vm = backend.createInstance(backend.offers(OfferRequirements.any()).get(0),
                config("with-disk-0"));
        var volumes = backend.volumes().orElseThrow();
        VolumeData disk = volumes.create(new VolumeRequest("main", "data", "admin", "eastus", null, 50, null,
                Map.of()));
        assertThat(subscription.disk(disk.volumeId()).path("properties").path("diskSizeGB").asInt()).isEqualTo(50);
        assertThat(subscription.disk(disk.volumeId()).path("tags").path("dstack_name").asText()).isEqualTo("data");

        assertThat(volumes.attach(disk, vm)).isEqualTo("/dev/disk/azure/scsi1/lun0");
        assertThat(subscription.vm(vm.instanceId()).body.path("properties").path("storageProfile")
                .path("dataDisks").toString()).contains("/disks/" + disk.volumeId());
        assertThat(subscription.disk(disk.volumeId()).path("managedBy").asText()).endsWith(vm.instanceId());
        assertThatThrownBy(() -> volumes.delete(disk)).hasMessageContaining("is attached to VM");

        assertThat(volumes.detach(disk, vm)).isTrue();
        assertThat(subscription.disk(disk.volumeId()).has("managedBy")).isFalse();
        volumes.delete(disk);
        assertThat(subscription.disk(disk.volumeId())).isNull();
        assertThat(backend.terminate(vm)).isTrue();
        assertThat(subscription.leftovers()).isEmpty();
    }

    @Test
    void anExistingDiskThatIsNotThereIsNotFound() {
        assertThatThrownBy(() -> backend.volumes().orElseThrow().create(new VolumeRequest("main", "old", "admin",
                "eastus", null, null, "missing-disk", Map.of())))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.failure()).isEqualTo(BackendFailure.NOT_FOUND));
    }

    @Test
    void quotaIsReportedAsQuotaAndNothingIsLeft() {
        InstanceOfferWithAvailability offer = backend.offers(OfferRequirements.any()).get(0);
        subscription.noQuota(offer.instance().name());
        assertThatThrownBy(() -> backend.createInstance(offer, config("q-0")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.QUOTA_EXCEEDED);
                    assertThat(e.cloudCode()).isEqualTo("OperationNotAllowed");
                    assertThat(e.getMessage()).contains("exceeding approved Total Regional Cores quota");
                });
        assertThat(subscription.leftovers()).isEmpty();
    }

    @Test
    void aTenantTheCredentialsDoNotSeeIsRefused() {
        var config = AzureTestBackends.configuration(subscription, "main", null);
        config.config().put("tenant_id", "00000000-0000-0000-0000-000000000000");
        config.creds().put("tenant_id", subscription.tenantId()); // the app signs in to its own tenant
        try (Backend other = BackendProviders.find("azure").orElseThrow().create(config)) {
            assertThatThrownBy(other::checkCredentials).isInstanceOfSatisfying(BackendException.class, e -> {
                assertThat(e.failure()).isEqualTo(BackendFailure.INVALID_CREDENTIALS);
                assertThat(e.getMessage()).contains("tenant_id 00000000-0000-0000-0000-000000000000");
            });
        }
        backend.checkCredentials();
    }

    @Test
    void anUnknownTenantIsRefusedByAzureAd() {
        var config = AzureTestBackends.configuration(subscription, "main", null);
        config.config().put("tenant_id", "00000000-0000-0000-0000-000000000000");
        try (Backend other = BackendProviders.find("azure").orElseThrow().create(config)) {
            assertThatThrownBy(other::checkCredentials).isInstanceOfSatisfying(BackendException.class, e -> {
                assertThat(e.failure()).isEqualTo(BackendFailure.INVALID_CREDENTIALS);
                assertThat(e.getMessage()).contains("AADSTS90002");
            });
        }
    }

    @Test
    void aConfiguredResourceGroupMustExist() {
        try (Backend other = AzureTestBackends.backend(subscription, "main", "{\"resource_group\": \"ml-rg\"}")) {
            assertThatThrownBy(other::checkCredentials).hasMessageContaining("resource_group 'ml-rg' does not exist");
        }
    }

    @Test
    void configurationErrorsNameTheField() {
        var provider = BackendProviders.find("azure").orElseThrow();
        assertThatThrownBy(() -> provider.create(AzureTestBackends.configuration(subscription, "main",
                "{\"vpc_name\": \"x\"}"))).hasMessageContaining("azure backend: vpc_name is not a field of the azure "
                        + "backend");
        assertThatThrownBy(() -> provider.create(AzureTestBackends.configuration(subscription, "main",
                "{\"regions\": [\"mars\"]}"))).hasMessageContaining("regions has 'mars'");
        assertThatThrownBy(() -> provider.create(AzureTestBackends.configuration(subscription, "main",
                "{\"public_ips\": false}"))).hasMessageContaining("public_ips is false")
                .hasMessageContaining("eastus has none");
        assertThatThrownBy(() -> provider.create(AzureTestBackends.configuration(subscription, "main",
                "{\"vpc_ids\": {\"eastus\": \"only-one-part\"}}"))).hasMessageContaining("vpc_ids.eastus");
        assertThatThrownBy(() -> provider.create(AzureTestBackends.configuration(subscription, "main",
                "{\"vm_managed_identity\": \"rg/id\"}"))).hasMessageContaining("vm_managed_identity is not supported");
        assertThatThrownBy(() -> provider.create(AzureTestBackends.configuration(subscription, "main",
                "{\"os_images\": {\"cpu\": {\"name\": \"ubuntu\", \"user\": \"u\"}}}")))
                .hasMessageContaining("os_images.cpu.name");
        var noSecret = AzureTestBackends.configuration(subscription, "main", null);
        noSecret.creds().remove("client_secret");
        assertThatThrownBy(() -> provider.create(noSecret)).hasMessageContaining("creds.client_secret is required");
        var badType = AzureTestBackends.configuration(subscription, "main", null);
        badType.creds().put("type", "access_key");
        assertThatThrownBy(() -> provider.create(badType)).hasMessageContaining("creds.type");
    }
}
