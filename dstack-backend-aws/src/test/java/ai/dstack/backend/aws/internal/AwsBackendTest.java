package ai.dstack.backend.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.offer.InstanceAvailability;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.resources.CpuSpec;
import ai.dstack.api.resources.DiskSpec;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.backend.aws.testing.AwsTestBackends;
import ai.dstack.backend.aws.testing.FakeEc2;
import ai.dstack.backend.aws.testing.FakeEc2Account;
import ai.dstack.core.internal.runs.JobSshKeys;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.spi.backend.InstanceStatus;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.backend.PlacementGroupData;
import ai.dstack.spi.backend.PlacementGroupRequest;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.Tags;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.backend.VolumeRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The AWS backend against the fake EC2: offers, launches, failures, clean-up, volumes, placement groups. */
class AwsBackendTest {
    private static final OfferRequirements SMALL_CPU = requirements(Range.atLeast(2), Range.atLeast(4.0),
            GpuSpec.NONE, false, null);

    private final FakeEc2 ec2 = FakeEc2.shared();
    private FakeEc2Account account;
    private Backend backend;
    private final JobSshKey key = JobSshKeys.generate();

    @BeforeEach
    void setUp() {
        account = ec2.newAccount();
        backend = AwsTestBackends.backend(account, "main", "{\"tags\":{\"team\":\"ml\"}}");
    }

    @AfterEach
    void tearDown() {
        backend.close();
    }

    private static OfferRequirements requirements(Range<Integer> cpus, Range<Double> memory, GpuSpec gpu,
            Boolean spot, Double maxPrice) {
        return new OfferRequirements(new ResourcesSpec(new CpuSpec(null, cpus), memory, null, gpu,
                new DiskSpec(Range.atLeast(50.0))), spot, maxPrice, List.of(), List.of());
    }

    private static GpuSpec gpu(String name, int count) {
        return new GpuSpec(null, List.of(name), Range.exactly(count), null, null, null);
    }

    private InstanceConfiguration config(String name) {
        return new InstanceConfiguration("main", name, "alice", "train", List.of(key.publicKey()),
                Map.of("cost-center", "42"), null, null);
    }

    private InstanceOfferWithAvailability offer(String type, boolean spot) {
        return backend.offers(requirements(Range.atLeast(1), Range.atLeast(0.5), new GpuSpec(null, null,
                Range.atLeast(0), null, null, null), spot, null)).stream()
                .filter(o -> o.instance().name().equals(type)).findFirst().orElseThrow();
    }

    @Test
    void offersAreFilteredByResourcesAndOrderedCheapestFirst() {
        List<InstanceOfferWithAvailability> offers = backend.offers(requirements(Range.atLeast(1), Range.atLeast(1.0),
                gpu("A10G", 1), false, null));
        assertThat(offers).isNotEmpty();
        assertThat(offers).extracting(o -> o.instance().name()).containsOnly("g5.xlarge", "g5.2xlarge");
        assertThat(offers).extracting(InstanceOfferWithAvailability::price).isSorted();
        assertThat(offers).allSatisfy(o -> {
            assertThat(o.region()).isEqualTo("us-east-1");
            assertThat(o.instance().resources().spot()).isFalse();
            assertThat(o.instance().resources().gpus()).singleElement()
                    .satisfies(g -> assertThat(g.memoryMib()).isEqualTo(24 * 1024));
            assertThat(o.instance().resources().disk().sizeMib()).isEqualTo(50 * 1024);
            assertThat(o.availability()).isEqualTo(InstanceAvailability.AVAILABLE);
            assertThat(o.availabilityZones()).containsExactly("us-east-1a", "us-east-1b");
        });
        assertThat(ec2.actions(account)).contains("DescribeInstanceTypeOfferings");

        List<InstanceOfferWithAvailability> cheapSpot = backend.offers(requirements(Range.atLeast(2),
                Range.atLeast(4.0), GpuSpec.NONE, true, 0.02));
        assertThat(cheapSpot).isNotEmpty().allSatisfy(o -> {
            assertThat(o.instance().resources().spot()).isTrue();
            assertThat(o.price()).isLessThanOrEqualTo(0.02);
        });
    }

    @Test
    void anInstanceTypeEc2DoesNotOfferInTheRegionIsNotAvailable() {
        account.withhold("g5.xlarge", "us-east-1");
        List<InstanceOfferWithAvailability> offers = backend.offers(requirements(Range.atLeast(1), Range.atLeast(1.0),
                gpu("A10G", 1), false, null));
        assertThat(offers).filteredOn(o -> o.instance().name().equals("g5.xlarge")).singleElement()
                .satisfies(o -> assertThat(o.availability()).isEqualTo(InstanceAvailability.NOT_AVAILABLE));
        assertThat(offers).filteredOn(o -> o.instance().name().equals("g5.2xlarge")).singleElement()
                .satisfies(o -> assertThat(o.availability()).isEqualTo(InstanceAvailability.AVAILABLE));
    }

    @Test
    void offersOfAFamilyWithoutQuotaInTheRegionAreNoQuotaAsServiceQuotasSays() {
        account.quota("us-east-1", "L-DB2E81BA", 0); // running on-demand G instances: 0 vCPUs
        List<InstanceOfferWithAvailability> offers = backend.offers(requirements(Range.atLeast(4), Range.atLeast(16.0),
                new GpuSpec(null, null, Range.atLeast(0), null, null, null), false, 3.0));
        assertThat(offers).filteredOn(o -> o.instance().name().startsWith("g")).isNotEmpty()
                .allSatisfy(o -> assertThat(o.availability()).isEqualTo(InstanceAvailability.NO_QUOTA));
        assertThat(offers).filteredOn(o -> o.instance().name().startsWith("m5.")).isNotEmpty()
                .allSatisfy(o -> assertThat(o.availability()).isEqualTo(InstanceAvailability.AVAILABLE));
        // dstack's three quotas, asked of Service Quotas in its JSON protocol, once per region for a while
        assertThat(ec2.calls(account)).filteredOn(c -> c.action().equals("GetServiceQuota"))
                .extracting(c -> c.region() + " " + c.params().get("ServiceCode") + "/" + c.params().get("QuotaCode"))
                .containsExactlyInAnyOrder("us-east-1 ec2/L-1216C47A", "us-east-1 ec2/L-417A185B",
                        "us-east-1 ec2/L-DB2E81BA");
        backend.offers(SMALL_CPU);
        assertThat(ec2.actions(account)).filteredOn("GetServiceQuota"::equals).hasSize(3);
        // a no_quota offer is never launched
        assertThat(backend.offers(requirements(Range.atLeast(1), Range.atLeast(1.0), gpu("A10G", 1), false, null)))
                .isNotEmpty().noneMatch(o -> o.availability().isAvailable());
    }

    @Test
    void aQuotaServiceQuotasWillNotGiveLeavesTheOffersAsEc2SaysThem() {
        account.deny("servicequotas:GetServiceQuota");
        List<InstanceOfferWithAvailability> offers = backend.offers(requirements(Range.atLeast(1), Range.atLeast(1.0),
                gpu("A10G", 1), false, null));
        assertThat(offers).isNotEmpty()
                .allSatisfy(o -> assertThat(o.availability()).isEqualTo(InstanceAvailability.AVAILABLE));
        assertThat(ec2.actions(account)).contains("GetServiceQuota");
    }

    @Test
    void anInstanceGetsTheKeyTagsNetworkImageAndRootDisk() {
        ProvisioningData data = backend.createInstance(backend.offers(SMALL_CPU).get(0), config("vm-1"));
        FakeEc2Account.Instance vm = account.instance(data.instanceId());
        assertThat(vm.tags).containsEntry("Name", "vm-1").containsEntry("owner", "dstack")
                .containsEntry("dstack_project", "main").containsEntry("dstack_name", "vm-1")
                .containsEntry("dstack_user", "alice").containsEntry("dstack_run", "train")
                .containsEntry("team", "ml").containsEntry("cost-center", "42");
        assertThat(vm.keyName).isEqualTo("dstack-main");
        assertThat(vm.rootSizeGb).isEqualTo(50);
        assertThat(vm.spot).isFalse();
        assertThat(account.imageName("us-east-1", vm.imageId)).startsWith("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04");
        assertThat(account.securityGroupNames()).containsExactly("dstack_security_group_main");
        assertThat(account.ingressRules("dstack_security_group_main")).hasSize(2)
                .contains("tcp:22-22 from 0.0.0.0/0").anySatisfy(r -> assertThat(r).startsWith("-1:"));
        assertThat(vm.userData).startsWith("#cloud-config").contains(key.publicKey().strip());
        assertThat(data.hostname()).isNull();
        assertThat(data.username()).isEqualTo("ubuntu");
        assertThat(data.sshPort()).isEqualTo(22);

        InstanceStatus status = backend.poll(data);
        assertThat(status.state()).isEqualTo(InstanceStatus.State.RUNNING);
        assertThat(status.data().hostname()).startsWith("127.").isEqualTo(vm.address());
    }

    @Test
    void aGpuOfferGetsTheDriverImageAndOsImagesOverrideIt() {
        ProvisioningData gpu = backend.createInstance(offer("g4dn.xlarge", true), config("gpu-1"));
        FakeEc2Account.Instance vm = account.instance(gpu.instanceId());
        assertThat(account.imageName("us-east-1", vm.imageId)).startsWith("Deep Learning Base OSS Nvidia Driver");
        assertThat(vm.spot).isTrue();
        assertThat(gpu.spot()).isTrue();

        account.addOwnImage("us-east-1", "my-cuda-image-2026");
        try (Backend custom = AwsTestBackends.backend(account, "main",
                "{\"os_images\":{\"nvidia\":{\"name\":\"my-cuda-*\",\"user\":\"admin\"}}}")) {
            ProvisioningData own = custom.createInstance(offer("g4dn.xlarge", false), config("gpu-2"));
            assertThat(account.imageName("us-east-1", account.instance(own.instanceId()).imageId))
                    .isEqualTo("my-cuda-image-2026");
            assertThat(own.username()).isEqualTo("admin");
        }
    }

    @Test
    void noCapacityInTheFirstZoneTriesTheNext() {
        account.noCapacity("t3.medium", "us-east-1a");
        ProvisioningData data = backend.createInstance(offer("t3.medium", false), config("vm-2"));
        assertThat(data.availabilityZone()).isEqualTo("us-east-1b");
        assertThat(account.instance(data.instanceId()).zone).isEqualTo("us-east-1b");
    }

    @Test
    void noCapacityAnywhereIsReportedAsNoCapacityWithEc2sWords() {
        account.noCapacity("t3.medium", "*");
        assertThatThrownBy(() -> backend.createInstance(offer("t3.medium", false), config("vm-3")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.NO_CAPACITY);
                    assertThat(e.cloudCode()).isEqualTo("InsufficientInstanceCapacity");
                    assertThat(e.getMessage()).contains("t3.medium", "us-east-1a", "us-east-1b",
                            "We currently do not have sufficient t3.medium capacity");
                });
        assertThat(account.liveInstances()).isEmpty();
    }

    @Test
    void aQuotaErrorIsReportedAsQuotaNotAsNoCapacity() {
        account.noQuota("g5.xlarge");
        assertThatThrownBy(() -> backend.createInstance(offer("g5.xlarge", false), config("vm-4")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.QUOTA_EXCEEDED);
                    assertThat(e.getMessage()).contains("quota exceeded", "VcpuLimitExceeded", "vCPU limit");
                });
    }

    @Test
    void aMissingPermissionIsReportedAsPermission() {
        account.deny("RunInstances");
        assertThatThrownBy(() -> backend.createInstance(offer("t3.medium", false), config("vm-5")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.PERMISSION_DENIED);
                    assertThat(e.getMessage()).contains("UnauthorizedOperation", "ec2:RunInstances");
                });
    }

    @Test
    void badCredentialsGiveAClearError() {
        backend.checkCredentials();
        try (Backend wrong = ai.dstack.spi.backend.BackendProviders.find("aws").orElseThrow().create(
                new ai.dstack.spi.backend.BackendConfiguration("main",
                        AwsTestBackends.configuration(account, "main", null).config(),
                        new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", "access_key")
                                .put("access_key", "AKIANOTISSUED").put("secret_key", "nope")))) {
            assertThatThrownBy(wrong::checkCredentials).isInstanceOfSatisfying(BackendException.class, e -> {
                assertThat(e.failure()).as(e.getMessage()).isEqualTo(BackendFailure.INVALID_CREDENTIALS);
                assertThat(e.getMessage()).startsWith("Invalid credentials")
                        .contains("DescribeRegions", "HTTP 401", "access key");
            });
        }
    }

    @Test
    void spotInterruptionIsReportedAsInterrupted() {
        ProvisioningData data = backend.createInstance(offer("t3.medium", true), config("spot-1"));
        assertThat(backend.poll(data).state()).isEqualTo(InstanceStatus.State.RUNNING);
        account.interrupt(data.instanceId());
        InstanceStatus status = backend.poll(data);
        assertThat(status.state()).isEqualTo(InstanceStatus.State.INTERRUPTED);
        assertThat(status.reason()).contains("Server.SpotInstanceTermination");
    }

    @Test
    void terminationWaitsForTheInstanceThenRemovesTheGroupAndKeyOnceTheLastInstanceIsGone() {
        ProvisioningData a = backend.createInstance(offer("t3.medium", false), config("a"));
        ProvisioningData b = backend.createInstance(offer("t3.medium", false), config("b"));
        assertThat(backend.terminate(a)).isTrue();
        assertThat(account.securityGroupNames()).as("b still uses them").hasSize(1);
        assertThat(account.keyPairNames()).hasSize(1);
        assertThat(backend.terminate(b)).isTrue();
        assertThat(account.liveInstances()).isEmpty();
        assertThat(account.securityGroupNames()).isEmpty();
        assertThat(account.keyPairNames()).isEmpty();
    }

    @Test
    void aHalfMadeVmIsFoundByTagsAndCleanedUp() {
        backend.createInstance(offer("t3.medium", false), config("lost"));
        // the server dies here: it never recorded the instance
        List<CloudResource> found = backend.findByTags(Tags.ofProject("main"));
        assertThat(found).extracting(CloudResource::kind).containsExactlyInAnyOrder("instance", "security-group",
                "key-pair");
        assertThat(found).filteredOn(r -> r.kind().equals("instance")).singleElement()
                .satisfies(r -> assertThat(r.dstackName()).isEqualTo("lost"));
        for (int round = 0; round < 5 && !backend.findByTags(Tags.ofProject("main")).isEmpty(); round++) {
            backend.findByTags(Tags.ofProject("main")).stream()
                    .sorted((x, y) -> Boolean.compare(!x.kind().equals("instance"), !y.kind().equals("instance")))
                    .forEach(backend::release);
        }
        assertThat(account.liveInstances()).isEmpty();
        assertThat(account.securityGroupNames()).isEmpty();
        assertThat(account.keyPairNames()).isEmpty();
    }

    @Test
    void aVolumeIsCreatedAttachedDetachedAndDeleted() {
        ProvisioningData vm = backend.poll(backend.createInstance(offer("t3.medium", false), config("vol-vm"))).data();
        var volumes = backend.volumes().orElseThrow();
        VolumeData volume = volumes.create(new VolumeRequest("main", "data", "alice", "us-east-1",
                vm.availabilityZone(), 10, null, Map.of()));
        assertThat(volume.sizeGb()).isEqualTo(10);
        assertThat(volume.external()).isFalse();
        FakeEc2Account.Volume fake = account.volumes().get(0);
        assertThat(fake.tags).containsEntry("dstack_name", "data").containsEntry("owner", "dstack");

        assertThat(volumes.attach(volume, vm)).isEqualTo("/dev/sdf");
        assertThat(fake.attachedTo()).isEqualTo(vm.instanceId());
        assertThat(volumes.attach(volume, vm)).as("attaching again is a no-op").isEqualTo("/dev/sdf");
        assertThatThrownBy(() -> backend.findByTags(Map.of("dstack_name", "data")).forEach(r -> {
            if (!backend.release(r)) {
                throw new IllegalStateException("in use");
            }
        })).hasMessage("in use");

        boolean detached = volumes.detach(volume, vm);
        for (int i = 0; i < 5 && !detached; i++) {
            detached = volumes.detach(volume, vm);
        }
        assertThat(detached).isTrue();
        assertThat(fake.state()).isEqualTo("available");
        volumes.delete(volume);
        assertThat(account.volumes()).isEmpty();
        volumes.delete(volume); // already gone: fine
    }

    @Test
    void anExistingVolumeIsUsedAndNeverDeleted() {
        var volumes = backend.volumes().orElseThrow();
        VolumeData made = volumes.create(new VolumeRequest("main", "first", "alice", "us-east-1", null, 5, null,
                Map.of()));
        VolumeData existing = volumes.create(new VolumeRequest("main", "reuse", "alice", "us-east-1", null, null,
                made.volumeId(), Map.of()));
        assertThat(existing.external()).isTrue();
        assertThat(existing.availabilityZone()).isEqualTo("us-east-1a");
        volumes.delete(existing);
        assertThat(account.volumes()).hasSize(1);
        assertThatThrownBy(() -> volumes.create(new VolumeRequest("main", "x", "alice", "us-east-1", null, null,
                "vol-missing", Map.of()))).isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.failure()).isEqualTo(BackendFailure.NOT_FOUND));
    }

    @Test
    void aClusterPlacementGroupHoldsInstancesUntilTheyAreGone() {
        var groups = backend.placementGroups().orElseThrow();
        PlacementGroupData group = groups.create(new PlacementGroupRequest("main", "fleet-pg", "us-east-1"));
        assertThat(account.placementStrategy("fleet-pg")).isEqualTo("cluster");
        InstanceConfiguration inGroup = new InstanceConfiguration("main", "node-0", "alice", null,
                List.of(key.publicKey()), Map.of(), group, null);
        ProvisioningData node = backend.createInstance(offer("t3.medium", false), inGroup);
        assertThat(account.instance(node.instanceId()).placementGroup).isEqualTo("fleet-pg");
        assertThat(groups.delete(group)).as("in use").isFalse();
        while (!backend.terminate(node)) {
            Thread.onSpinWait();
        }
        assertThat(groups.delete(group)).isTrue();
        assertThat(account.placementGroupNames()).isEmpty();
    }

    @Test
    void aNamedVpcIsUsedAndConfigurationMistakesAreRefusedNamingTheField() {
        String vpc = account.addVpc("us-east-1", "research");
        try (Backend named = AwsTestBackends.backend(account, "main",
                "{\"vpc_name\":\"research\",\"public_ips\":false}")) {
            ProvisioningData data = named.createInstance(offer("t3.medium", false), config("in-vpc"));
            assertThat(account.instance(data.instanceId()).publicIp).isFalse();
            assertThat(ec2.calls(account)).anySatisfy(c -> {
                assertThat(c.action()).isEqualTo("CreateSecurityGroup");
                assertThat(c.params()).containsEntry("VpcId", vpc);
            });
            assertThat(named.poll(data).data().hostname()).as("the private address").startsWith("127.");
        }
        try (Backend missing = AwsTestBackends.backend(account, "main", "{\"vpc_name\":\"nope\"}")) {
            assertThatThrownBy(() -> missing.createInstance(offer("t3.medium", false), config("x")))
                    .hasMessageContaining("vpc_name nope was not found in us-east-1");
        }
        assertThatThrownBy(() -> AwsTestBackends.backend(account, "main",
                "{\"vpc_name\":\"a\",\"vpc_ids\":{\"us-east-1\":\"vpc-1\"}}"))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.failure()).isEqualTo(BackendFailure.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("vpc_name", "vpc_ids");
                });
        assertThatThrownBy(() -> AwsTestBackends.backend(account, "main", "{\"default_vpcs\":false}"))
                .hasMessageContaining("default_vpcs");
        assertThatThrownBy(() -> AwsTestBackends.backend(account, "main", "{\"zones\":[\"a\"]}"))
                .hasMessageContaining("zones is not a field of the aws backend");
        assertThatThrownBy(() -> AwsTestBackends.backend(account, "main",
                "{\"os_images\":{\"amd\":{\"name\":\"x\",\"user\":\"u\"}}}")).hasMessageContaining("os_images.amd");
    }
}
