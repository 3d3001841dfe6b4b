package ai.dstack.backend.gcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.offer.InstanceType;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.gcp.testing.FakeGce;
import ai.dstack.backend.gcp.testing.FakeGceProject;
import ai.dstack.backend.gcp.testing.GcpTestBackends;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.spi.backend.InstanceStatus;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.Tags;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TPU VMs on the fake TPU API (v2 REST JSON, long-running operations): a single-host TPU is created with dstack's
 * runtime version, keys, labels and the SSH firewall's tag, runs at its endpoint's address, is found by its labels and
 * deleted with nothing left; no capacity in a zone tries the next; a preempted spot TPU is an interruption; multi-host
 * slices are refused naming the type.
 */
class GcpTpuTest {
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

    private InstanceOfferWithAvailability tpuOffer(boolean spot) {
        ResourcesSpec resources = DstackYaml.parse("type: task\ncommands: [x]\nresources:\n  gpu: v5litepod:1\n",
                "t.yml", ai.dstack.api.configuration.TaskConfiguration.class).base().resources();
        List<InstanceOfferWithAvailability> offers = backend.offers(new OfferRequirements(resources, spot, null,
                List.of(), List.of()));
        return offers.stream().filter(o -> o.instance().name().equals("v5litepod-1")).findFirst().orElseThrow();
    }

    private InstanceConfiguration config(String name) {
        return new InstanceConfiguration("main", name, "admin", "run", List.of(key.publicKey()), Map.of(), null,
                null);
    }

    private InstanceStatus pollUntilNotPending(ProvisioningData created) {
        for (int i = 0; i < 20; i++) {
            InstanceStatus status = backend.poll(created);
            if (status.state() != InstanceStatus.State.PENDING) {
                return status;
            }
        }
        throw new AssertionError("still pending: " + created.instanceId());
    }

    @Test
    void aSingleHostTpuIsCreatedRunsIsFoundByItsLabelsAndIsDeleted() {
        ProvisioningData tpu = backend.createInstance(tpuOffer(false), config("tpu-0"));
        assertThat(tpu.availabilityZone()).isEqualTo("us-central1-a");
        assertThat(tpu.backendData()).isEqualTo(GcpBackend.TPU_DATA);
        assertThat(project.vms()).isEmpty();
        FakeGceProject.Tpu node = project.tpus().get(0);
        assertThat(node.name).isEqualTo(tpu.instanceId());
        JsonNode body = node.body;
        assertThat(body.path("acceleratorType").asText()).isEqualTo("v5litepod-1");
        assertThat(body.path("runtimeVersion").asText()).isEqualTo("v2-alpha-tpuv5-lite");
        assertThat(body.path("metadata").path("ssh-keys").asText()).isEqualTo("ubuntu:" + key.publicKey().strip()
                + "\n");
        assertThat(body.path("labels").path("owner").asText()).isEqualTo("dstack");
        assertThat(body.path("labels").path("dstack_name").asText()).isEqualTo("tpu-0");
        assertThat(body.path("tags").toString()).contains("dstack-main-instance");
        assertThat(body.path("networkConfig").path("enableExternalIps").asBoolean()).isTrue();
        assertThat(body.has("schedulingConfig")).isFalse();
        assertThat(project.firewallNames()).containsExactly("dstack-main-ssh");
        assertThat(gce.calls(project)).anyMatch(c -> c.method().equals("POST")
                && c.path().equals("/v2/projects/" + project.id() + "/locations/us-central1-a/nodes"))
                .anyMatch(c -> c.method().equals("GET") && c.path().contains("/operations/"));

        InstanceStatus running = pollUntilNotPending(tpu);
        assertThat(running.state()).isEqualTo(InstanceStatus.State.RUNNING);
        assertThat(running.data().hostname()).startsWith("127.").isEqualTo(node.ssh().host());
        assertThat(backend.findByTags(Tags.ofProject("main"))).extracting(CloudResource::kind, CloudResource::id,
                CloudResource::region).contains(org.assertj.core.groups.Tuple.tuple("tpu", tpu.instanceId(),
                        "us-central1-a"));

        assertThatThrownBy(() -> backend.volumes().orElseThrow().attach(new ai.dstack.spi.backend.VolumeData("gcp",
                "data", "us-central1", "us-central1-a", 10, false, 0), running.data()))
                .hasMessageContaining("it is a TPU VM, and this server does not attach disks to TPU VMs yet");

        assertThat(backend.terminate(tpu)).isTrue();
        assertThat(project.leftovers()).isEmpty();
    }

    @Test
    void noCapacityInAZoneTriesTheNextAndEveryZoneFullIsNoCapacity() {
        project.tpuNoCapacity("v5litepod-1", "us-central1-a");
        ProvisioningData tpu = backend.createInstance(tpuOffer(true), config("tpu-1"));
        assertThat(tpu.availabilityZone()).isEqualTo("us-central1-b");
        assertThat(project.tpus()).singleElement().satisfies(t -> {
            assertThat(t.zone).isEqualTo("us-central1-b");
            assertThat(t.body.path("schedulingConfig").path("spot").asBoolean()).isTrue();
        });
        project.preemptTpu(tpu.instanceId());
        InstanceStatus preempted = backend.poll(tpu);
        assertThat(preempted.state()).isEqualTo(InstanceStatus.State.INTERRUPTED);
        assertThat(backend.terminate(tpu)).isTrue();

        for (String zone : List.of("us-central1-b", "us-central1-c", "us-central1-f")) {
            project.tpuNoCapacity("v5litepod-1", zone);
        }
        assertThatThrownBy(() -> backend.createInstance(tpuOffer(false), config("tpu-2")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.NO_CAPACITY);
                    assertThat(e.getMessage()).contains("no capacity for TPU v5litepod-1 in us-central1",
                            "us-central1-f: 8: There is no more capacity");
                });
        assertThat(project.leftovers()).isEmpty();
    }

    @Test
    void aMultiHostSliceIsRefusedNamingTheType() {
        InstanceOfferWithAvailability one = tpuOffer(false);
        InstanceOfferWithAvailability slice = new InstanceOfferWithAvailability(one.backend(),
                new InstanceType("v5litepod-16", one.instance().resources()), one.region(), one.price() * 16,
                one.backendData(), one.availability(), null, one.instanceRuntime(), one.blocks(), one.totalBlocks());
        assertThatThrownBy(() -> backend.createInstance(slice, config("tpu-3")))
                .hasMessageContaining("gcp: v5litepod-16 cannot be provisioned: it is a multi-host TPU slice");
        assertThat(project.leftovers()).isEmpty();
        assertThat(project.tpus()).isEmpty();
    }
}
