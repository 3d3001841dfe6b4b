package ai.dstack.backend.gcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.backend.gcp.testing.FakeGce;
import ai.dstack.backend.gcp.testing.FakeGceProject;
import ai.dstack.backend.gcp.testing.GcpTestBackends;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.BackendProviders;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.spi.backend.InstanceStatus;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.backend.VolumeRequest;
import ai.dstack.api.yaml.DstackYaml;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The GCP backend alone on the fake GCE: GPU offers and what a GPU VM is created with, quota as quota,
 * a persistent disk attached and detached, and configuration errors naming the field.
 */
class GcpBackendTest {
    private final FakeGce gce = FakeGce.shared();
    private final JobSshKey key = JobSshKeys.generate();
    private FakeGceProject project;
    private Backend backend;

    @BeforeEach
    void setUp() {
        project = gce.newProject();
        backend = GcpTestBackends.backend(project, "main", null);
    }

    @AfterEach
    void tearDown() {
        backend.close();
    }

    private static OfferRequirements gpu(String spec) {
        ResourcesSpec resources = DstackYaml.parse("type: task\ncommands: [x]\nresources:\n  gpu: " + spec + "\n",
                "t.yml", ai.dstack.api.configuration.TaskConfiguration.class).base().resources();
        return new OfferRequirements(resources, false, null, List.of(), List.of());
    }

    private InstanceConfiguration config(String name) {
        return new InstanceConfiguration("main", name, "admin", "run", List.of(key.publicKey()), Map.of(), null,
                null);
    }

    private ProvisioningData running(ProvisioningData created) {
        for (int i = 0; i < 100; i++) {
            InstanceStatus status = backend.poll(created);
            if (status.state() == InstanceStatus.State.RUNNING) {
                return status.data();
            }
        }
        throw new AssertionError("not running: " + created.instanceId());
    }

    @Test
    void anN1OfferAttachesItsGpusAndAGpuImageWithTerminateOnMaintenance() {
        List<InstanceOfferWithAvailability> offers = backend.offers(gpu("T4:1"));
        assertThat(offers).isNotEmpty().allSatisfy(o -> assertThat(o.instance().resources().gpus())
                .singleElement().satisfies(g -> assertThat(g.name()).isEqualTo("T4")));
        InstanceOfferWithAvailability cheapest = offers.get(0);
        assertThat(cheapest.instance().name()).isEqualTo("n1-standard-4");
        ProvisioningData vm = backend.createInstance(cheapest, config("gpu-0"));
        FakeGceProject.Vm fake = project.vm(vm.instanceId());
        assertThat(fake.body.path("guestAccelerators").get(0).path("acceleratorType").asText())
                .endsWith("/acceleratorTypes/nvidia-tesla-t4");
        assertThat(fake.body.path("scheduling").path("onHostMaintenance").asText()).isEqualTo("TERMINATE");
        assertThat(fake.body.path("disks").get(0).path("initializeParams").path("sourceImage").asText())
                .contains("deeplearning-platform-release");
        assertThat(fake.labels()).containsEntry("owner", "dstack").containsEntry("dstack_name", "gpu-0");
        assertThat(backend.terminate(vm)).isTrue();
        assertThat(project.leftovers()).isEmpty();
    }

    @Test
    void quotaIsReportedAsQuota() {
        project.noQuota("e2-standard-2");
        InstanceOfferWithAvailability offer = backend.offers(OfferRequirements.any()).get(0);
        assertThat(offer.instance().name()).isEqualTo("e2-standard-2");
        assertThatThrownBy(() -> backend.createInstance(offer, config("q-0")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.QUOTA_EXCEEDED);
                    assertThat(e.cloudCode()).isEqualTo("QUOTA_EXCEEDED");
                    assertThat(e.getMessage()).contains("Quota 'CPUS' exceeded");
                });
        assertThat(project.leftovers()).isEmpty();
    }

    @Test
    void aPersistentDiskIsAttachedDetachedAndDeleted() {
        ProvisioningData vm = running(backend.createInstance(backend.offers(OfferRequirements.any()).get(0),
                config("with-disk-0")));
        var volumes = backend.volumes().orElseThrow();
        VolumeData disk = volumes.create(new VolumeRequest("main", "data", "admin", "us-central1",
                vm.availabilityZone(), 50, null, Map.of()));
        assertThat(project.disk(disk.volumeId()).path("sizeGb").asText()).isEqualTo("50");
        assertThat(project.disk(disk.volumeId()).path("labels").path("dstack_name").asText()).isEqualTo("data");

        String device = volumes.attach(disk, vm);
        assertThat(device).isEqualTo("/dev/disk/by-id/google-" + disk.volumeId());
        assertThat(project.vm(vm.instanceId()).body.path("disks").toString()).contains("/disks/" + disk.volumeId());
        assertThat(project.disk(disk.volumeId()).has("users")).isTrue();

        assertThat(volumes.detach(disk, vm)).isTrue();
        assertThat(project.disk(disk.volumeId()).has("users")).isFalse();
        volumes.delete(disk);
        assertThat(project.diskNames()).isEmpty();
        backend.terminate(vm);
        assertThat(project.leftovers()).isEmpty();
    }

    @Test
    void anExistingDiskThatIsNotThereIsNotFound() {
        assertThatThrownBy(() -> backend.volumes().orElseThrow().create(new VolumeRequest("main", "old", "admin",
                "us-central1", "us-central1-a", null, "missing-disk", Map.of())))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.failure()).isEqualTo(BackendFailure.NOT_FOUND));
    }

    @Test
    void natCheckNeedsACloudNatWhenVmsHaveNoPublicIps() {
        try (Backend noPublic = GcpTestBackends.backend(project, "main", "{\"public_ips\": false}")) {
            assertThatThrownBy(noPublic::checkCredentials).hasMessageContaining("nat_check")
                    .hasMessageContaining("us-central1 has no Cloud NAT");
            project.cloudNat("us-central1");
            noPublic.checkCredentials();
        }
    }

    @Test
    void configurationErrorsNameTheField() {
        var provider = BackendProviders.find("gcp").orElseThrow();
        var base = GcpTestBackends.configuration(project, "main", null);
        assertThatThrownBy(() -> provider.create(GcpTestBackends.configuration(project, "main",
                "{\"vpc_ids\": {}}"))).hasMessageContaining("gcp backend: vpc_ids is not a field of the gcp backend");
        assertThatThrownBy(() -> provider.create(GcpTestBackends.configuration(project, "main",
                "{\"tags\": {\"Team\": \"x\"}}"))).hasMessageContaining("tags.Team");
        base.config().remove("project_id");
        assertThatThrownBy(() -> provider.create(base)).hasMessageContaining("project_id is required");
        var badType = GcpTestBackends.configuration(project, "main", null);
        badType.creds().put("type", "access_key");
        assertThatThrownBy(() -> provider.create(badType)).hasMessageContaining("creds.type");
    }
}
