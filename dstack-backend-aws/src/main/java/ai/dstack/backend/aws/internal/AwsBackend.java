package ai.dstack.backend.aws.internal;

import ai.dstack.api.offer.InstanceAvailability;
import ai.dstack.api.offer.InstanceOffer;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.InstanceConfiguration;
import ai.dstack.spi.backend.InstanceStatus;
import ai.dstack.spi.backend.OfferCatalog;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.backend.PlacementGroupSupport;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.Tags;
import ai.dstack.spi.backend.VolumeSupport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStateName;
import software.amazon.awssdk.services.ec2.model.LocationType;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.Reservation;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/** The AWS backend: EC2 instances for catalogue offers, in the configured regions and network. */
public final class AwsBackend implements Backend {
    static final String TYPE = "aws";
    /** The instance families dstack offers by default; {@code experimental_instance_types} adds more. */
    static final List<String> FAMILIES = List.of("m7i", "c7i", "r7i", "t3", "t2.small", "c5", "m5", "p6-b300",
            "p6-b200", "p5", "p5e", "p5en", "p4d", "p4de", "g7", "g7e", "g6", "g6e", "gr6", "g5", "g4dn");
    private static final OfferCatalog CATALOG = new OfferCatalog("aws", "ai/dstack/backend/aws/internal/aws-catalog.csv",
            AwsBackend.class.getClassLoader());
    private static final Set<String> LIVE_STATES = Set.of("pending", "running", "shutting-down", "stopping", "stopped");

    private final AwsSettings settings;
    private final AwsClients clients;
    private final AwsNetwork network;
    private final AwsImages images;
    private final AwsVolumes volumes;
    private final AwsPlacementGroups placementGroups;
    private final AwsEfa efa = new AwsEfa();
    private final AwsElasticIps elasticIps = new AwsElasticIps();
    private final AwsQuotas quotas;

    public AwsBackend(AwsSettings settings) {
        this.settings = settings;
        this.clients = new AwsClients(settings);
        this.network = new AwsNetwork(settings);
        this.images = new AwsImages(settings);
        this.volumes = new AwsVolumes(settings, clients);
        this.placementGroups = new AwsPlacementGroups(clients);
        this.quotas = new AwsQuotas(clients);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** A cheap read call: EC2 DescribeRegions in the first configured region. */
    @Override
    public void checkCredentials() {
        String region = settings.regions().get(0);
        try {
            clients.ec2(region).describeRegions();
        } catch (SdkException e) {
            BackendException mapped = AwsErrors.map(e, "checking the credentials (DescribeRegions in " + region + ")");
            if (mapped.failure() == BackendFailure.INVALID_CREDENTIALS) {
                throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: "
                        + mapped.getMessage(), mapped.cloudCode(), mapped.cloudMessage(), e);
            }
            throw mapped;
        }
    }

    @Override
    public List<InstanceOfferWithAvailability> offers(OfferRequirements requirements) {
        List<String> regions = settings.regions().stream()
                .filter(r -> requirements.regions().isEmpty() || requirements.regions().contains(r)).toList();
        List<InstanceOffer> candidates = new ArrayList<>();
        for (OfferCatalog.Row row : CATALOG.rows(regions)) {
            if (!familyAllowed(row.instanceName())) {
                continue;
            }
            InstanceOffer offer = row.toOffer(TYPE, requirements.diskMib());
            if (requirements.matches(offer)) {
                candidates.add(offer);
            }
        }
        if (requirements.reservation() != null) {
            return withQuotas(reservedOffers(candidates, regions, requirements.reservation()));
        }
        Map<String, Map<String, List<String>>> zones = new HashMap<>();
        List<InstanceOfferWithAvailability> offers = new ArrayList<>();
        for (InstanceOffer offer : candidates) {
            Map<String, List<String>> byType = zones.computeIfAbsent(offer.region(), region -> zonesByType(region,
                    candidates.stream().filter(o -> o.region().equals(region)).map(o -> o.instance().name())
                            .collect(java.util.stream.Collectors.toCollection(TreeSet::new))));
            if (byType == null) {
                offers.add(offer.withAvailability(InstanceAvailability.UNKNOWN, null));
                continue;
            }
            List<String> typeZones = byType.getOrDefault(offer.instance().name(), List.of());
            offers.add(offer.withAvailability(typeZones.isEmpty() ? InstanceAvailability.NOT_AVAILABLE
                    : InstanceAvailability.AVAILABLE, typeZones));
        }
        offers = withQuotas(offers);
        offers.sort(Comparator.comparingDouble(InstanceOfferWithAvailability::price)
                .thenComparing(o -> !o.availability().isAvailable())
                .thenComparing(o -> o.instance().name()).thenComparing(InstanceOfferWithAvailability::region));
        return offers;
    }

    /** Offers whose instance family has no on-demand quota in their region are {@code no_quota}, as dstack marks them. */
    private List<InstanceOfferWithAvailability> withQuotas(List<InstanceOfferWithAvailability> offers) {
        Map<String, Map<String, Double>> byRegion = new HashMap<>();
        List<InstanceOfferWithAvailability> out = new ArrayList<>(offers.size());
        for (InstanceOfferWithAvailability offer : offers) {
            Map<String, Double> regionQuotas = byRegion.computeIfAbsent(offer.region(), quotas::of);
            out.add(Boolean.FALSE.equals(AwsQuotas.hasQuota(regionQuotas, offer.instance().name()))
                    ? offer.offer().withAvailability(InstanceAvailability.NO_QUOTA, offer.availabilityZones())
                    : offer);
        }
        return out;
    }

    /**
     * The offers a capacity reservation can hold: its instance type in its region, in its zone only; available while
     * the reservation is active. Regions without the reservation give none.
     */
    private List<InstanceOfferWithAvailability> reservedOffers(List<InstanceOffer> candidates, List<String> regions,
            String reservationId) {
        List<InstanceOfferWithAvailability> offers = new ArrayList<>();
        for (String region : regions) {
            var reservation = AwsReservations.find(clients.ec2(region), region, reservationId);
            if (reservation.isEmpty()) {
                continue;
            }
            var r = reservation.get();
            for (InstanceOffer offer : candidates) {
                if (offer.region().equals(region) && offer.instance().name().equals(r.instanceType())
                        && !offer.instance().resources().spot()) {
                    offers.add(offer.withAvailability(AwsReservations.usable(r) ? InstanceAvailability.AVAILABLE
                            : InstanceAvailability.NOT_AVAILABLE, List.of(r.availabilityZone())));
                }
            }
        }
        offers.sort(Comparator.comparingDouble(InstanceOfferWithAvailability::price));
        return offers;
    }

    @Override
    public boolean supportsReservations() {
        return true;
    }

    private boolean familyAllowed(String instanceType) {
        return java.util.stream.Stream.concat(FAMILIES.stream(), settings.experimentalInstanceTypes().stream())
                .anyMatch(f -> instanceType.equals(f) || instanceType.startsWith(f + "."));
    }

    /** The zones offering each type in the region; null when EC2 would not say (then availability is unknown). */
    private Map<String, List<String>> zonesByType(String region, Set<String> types) {
        Map<String, List<String>> result = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(types);
        try {
            for (int i = 0; i < all.size(); i += 100) {
                List<String> batch = all.subList(i, Math.min(all.size(), i + 100));
                clients.ec2(region).describeInstanceTypeOfferingsPaginator(r -> r
                        .locationType(LocationType.AVAILABILITY_ZONE)
                        .filters(Filter.builder().name("instance-type").values(batch).build()))
                        .instanceTypeOfferings().forEach(o -> result.computeIfAbsent(o.instanceTypeAsString(),
                                k -> new ArrayList<>()).add(o.location()));
            }
        } catch (SdkException e) {
            org.slf4j.LoggerFactory.getLogger(AwsBackend.class).warn("{}",
                    AwsErrors.map(e, "DescribeInstanceTypeOfferings in " + region).getMessage());
            return null;
        }
        result.values().forEach(list -> list.sort(null));
        return result;
    }

    @Override
    public ProvisioningData createInstance(InstanceOfferWithAvailability offer, InstanceConfiguration config) {
        String region = offer.region();
        Ec2Client ec2 = clients.ec2(region);
        Map<String, String> tags = tags(config);
        boolean gpu = !offer.instance().resources().gpus().isEmpty();
        AwsSettings.OsImage image = images.imageFor(gpu);
        String imageId = images.imageId(ec2, region, image);
        String vpcId = network.vpcId(ec2, region);
        Map<String, String> projectTags = Tags.ofProject(config.project());
        projectTags.putAll(settings.tags());
        String groupId = network.securityGroup(ec2, region, vpcId, projectTags);
        String keyName = network.keyPair(ec2, region, config.sshPublicKeys().get(0), projectTags);
        List<String> zones = offer.availabilityZones() == null || offer.availabilityZones().isEmpty()
                ? zonesOf(ec2, region) : offer.availabilityZones();
        try {
            return runInSomeZone(ec2, offer, config, tags, image, imageId, groupId, keyName, vpcId, zones);
        } catch (BackendException e) {
            releaseAfterFailure(region);
            throw e;
        }
    }

    /** A failed launch leaves no security group or key pair behind unless the project's other instances use them. */
    private void releaseAfterFailure(String region) {
        try {
            releaseProjectNetwork(region);
        } catch (BackendException e) {
            org.slf4j.LoggerFactory.getLogger(AwsBackend.class).warn("aws: cannot release the project's network in"
                    + " {} after a failed launch: {}", region, e.getMessage());
        }
    }

    private ProvisioningData runInSomeZone(Ec2Client ec2, InstanceOfferWithAvailability offer,
            InstanceConfiguration config, Map<String, String> tags, AwsSettings.OsImage image, String imageId,
            String groupId, String keyName, String vpcId, List<String> zones) {
        String region = offer.region();
        // EFA in a cluster placement group where the type has it: the primary interface and one per further card
        AwsEfa.Info efaInfo = config.placementGroup() == null ? new AwsEfa.Info(0, 1)
                : efa.info(ec2, region, offer.instance().name());
        boolean capacityBlock = config.reservation() != null && AwsReservations.find(ec2, region,
                config.reservation()).map(AwsReservations::isCapacityBlock).orElse(false);
        List<String> tried = new ArrayList<>();
        BackendException last = null;
        for (String zone : zones) {
            Subnet subnet = network.subnet(ec2, region, vpcId, zone);
            if (subnet == null) {
                tried.add(zone + ": no subnet of " + vpcId);
                continue;
            }
            try {
                Instance instance = ec2.runInstances(runRequest(offer, config, tags, imageId, image, groupId, keyName,
                        zone, subnet, efaInfo, capacityBlock)).instances().get(0);
                return new ProvisioningData(TYPE, offer.instance(), instance.instanceId(), null, null, region, zone,
                        offer.price(), offer.instance().resources().spot(), image.user(), 22, null);
            } catch (SdkException e) {
                BackendException mapped = AwsErrors.map(e, "RunInstances " + offer.instance().name() + " in " + zone);
                if (mapped.failure() != BackendFailure.NO_CAPACITY) {
                    throw mapped;
                }
                last = mapped;
                tried.add(zone + ": " + mapped.cloudCode() + ": " + mapped.cloudMessage());
            }
        }
        throw new BackendException(BackendFailure.NO_CAPACITY, "aws: no capacity for " + offer.instance().name()
                + " in " + region + " (" + String.join("; ", tried) + ")",
                last == null ? null : last.cloudCode(), last == null ? String.join("; ", tried) : last.cloudMessage(),
                last);
    }

    private RunInstancesRequest runRequest(InstanceOfferWithAvailability offer, InstanceConfiguration config,
            Map<String, String> tags, String imageId, AwsSettings.OsImage image, String groupId, String keyName,
            String zone, Subnet subnet, AwsEfa.Info efaInfo, boolean capacityBlock) {
        int diskGb = Math.max(1, (int) Math.ceil(offer.instance().resources().disk().sizeMib() / 1024.0));
        RunInstancesRequest.Builder run = RunInstancesRequest.builder()
                .imageId(imageId).instanceType(offer.instance().name()).minCount(1).maxCount(1).keyName(keyName)
                .userData(userData(config, image.user()))
                .blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/sda1")
                        .ebs(e -> e.volumeSize(diskGb).volumeType(VolumeType.GP2).deleteOnTermination(true)).build())
                .networkInterfaces(AwsEfa.interfaces(offer.instance().name(), efaInfo, efaInfo.supported(),
                        subnet.subnetId(), groupId, settings.publicIps()))
                .tagSpecifications(
                        TagSpecification.builder().resourceType(ResourceType.INSTANCE).tags(AwsTags.of(tags)).build(),
                        TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(AwsTags.of(tags)).build())
                .placement(p -> {
                    p.availabilityZone(zone);
                    if (config.placementGroup() != null) {
                        p.groupName(config.placementGroup().name());
                    }
                });
        if (offer.instance().resources().spot()) {
            run.instanceMarketOptions(m -> m.marketType(MarketType.SPOT).spotOptions(s -> s
                    .spotInstanceType("one-time").instanceInterruptionBehavior("terminate")));
        }
        if (settings.iamInstanceProfile() != null) {
            run.iamInstanceProfile(p -> p.name(settings.iamInstanceProfile()));
        }
        if (config.reservation() != null) {
            run.capacityReservationSpecification(c -> c.capacityReservationTarget(
                    t -> t.capacityReservationId(config.reservation())));
            if (capacityBlock) {
                run.instanceMarketOptions(m -> m.marketType(MarketType.CAPACITY_BLOCK));
            }
        }
        return run.build();
    }

    /** cloud-init: every key of the configuration authorized for the image's user. */
    private static String userData(InstanceConfiguration config, String user) {
        StringBuilder yaml = new StringBuilder("#cloud-config\nusers:\n  - default\nssh_authorized_keys:\n");
        config.sshPublicKeys().forEach(k -> yaml.append("  - ").append(k.strip()).append('\n'));
        return Base64.getEncoder().encodeToString(yaml.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** dstack's tags, then the backend's configured tags, then the resource's. */
    private Map<String, String> tags(InstanceConfiguration config) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("Name", config.instanceName());
        tags.putAll(Tags.ofProject(config.project()));
        tags.put(Tags.NAME, config.instanceName());
        tags.put(Tags.USER, config.user());
        if (config.runName() != null) {
            tags.put(Tags.RUN, config.runName());
        }
        tags.putAll(settings.tags());
        tags.putAll(config.tags());
        return tags;
    }

    private static List<String> zonesOf(Ec2Client ec2, String region) {
        return AwsNetwork.call("DescribeAvailabilityZones in " + region, () -> ec2.describeAvailabilityZones(
                r -> r.filters(AwsNetwork.filter("state", "available"))).availabilityZones()).stream()
                .map(z -> z.zoneName()).sorted().toList();
    }

    @Override
    public InstanceStatus poll(ProvisioningData data) {
        Optional<Instance> found = describe(data.region(), data.instanceId());
        if (found.isEmpty()) {
            return new InstanceStatus(InstanceStatus.State.TERMINATED, data, "the instance no longer exists");
        }
        Instance instance = found.get();
        String state = instance.state().nameAsString();
        String reason = instance.stateReason() == null ? null
                : instance.stateReason().code() + ": " + instance.stateReason().message();
        switch (state) {
            case "pending":
                return new InstanceStatus(InstanceStatus.State.PENDING, data, null);
            case "running": {
                String host = settings.publicIps() && instance.publicIpAddress() != null ? instance.publicIpAddress()
                        : instance.privateIpAddress();
                if (settings.publicIps() && instance.publicIpAddress() == null
                        && instance.networkInterfaces().size() > 1) {
                    // EC2 gives no public address with several interfaces: an Elastic IP, as dstack attaches one
                    host = elasticIps.associate(clients.ec2(data.region()), data.region(), instance,
                            AwsElasticIps.projectTags(settings.project(), settings.tags()));
                }
                if (host == null) {
                    return new InstanceStatus(InstanceStatus.State.PENDING, data, null);
                }
                return new InstanceStatus(InstanceStatus.State.RUNNING,
                        data.withAddresses(host, instance.privateIpAddress()), null);
            }
            default: {
                boolean interrupted = instance.stateReason() != null && instance.stateReason().code() != null
                        && instance.stateReason().code().startsWith("Server.SpotInstance");
                return new InstanceStatus(interrupted ? InstanceStatus.State.INTERRUPTED
                        : InstanceStatus.State.TERMINATED, data, reason == null ? "the instance is " + state : reason);
            }
        }
    }

    private Optional<Instance> describe(String region, String instanceId) {
        try {
            return clients.ec2(region).describeInstances(r -> r.instanceIds(instanceId)).reservations().stream()
                    .flatMap(r -> r.instances().stream()).findFirst();
        } catch (SdkException e) {
            if ("InvalidInstanceID.NotFound".equals(AwsErrors.code(e))) {
                return Optional.empty();
            }
            throw AwsErrors.map(e, "DescribeInstances " + instanceId);
        }
    }

    @Override
    public boolean terminate(ProvisioningData data) {
        if (!terminateInstance(data.region(), data.instanceId())) {
            return false;
        }
        return releaseProjectNetwork(data.region());
    }

    /** Terminates; true once EC2 reports it terminated (or gone). */
    private boolean terminateInstance(String region, String instanceId) {
        Ec2Client ec2 = clients.ec2(region);
        try {
            ec2.terminateInstances(r -> r.instanceIds(instanceId));
        } catch (SdkException e) {
            if (!"InvalidInstanceID.NotFound".equals(AwsErrors.code(e))) {
                throw AwsErrors.map(e, "TerminateInstances " + instanceId);
            }
        }
        elasticIps.releaseOf(ec2, region, instanceId);
        return describe(region, instanceId).map(i -> i.state().name() == InstanceStateName.TERMINATED)
                .orElse(true);
    }

    /**
     * Deletes the project's security group and key pair in the region once no instance of the project is left
     * there. False while an instance still holds the group.
     */
    private boolean releaseProjectNetwork(String region) {
        Ec2Client ec2 = clients.ec2(region);
        boolean othersLive = AwsNetwork.call("DescribeInstances in " + region, () -> ec2.describeInstancesPaginator(
                r -> r.filters(AwsNetwork.filter("tag:" + Tags.PROJECT, settings.project()),
                        AwsNetwork.filter("instance-state-name", LIVE_STATES.toArray(String[]::new))))
                .reservations().stream().mapToLong(res -> res.instances().size()).sum() > 0);
        if (othersLive) {
            return true; // the group and key stay for the project's other instances; the last one removes them
        }
        for (var group : AwsNetwork.call("DescribeSecurityGroups in " + region, () -> ec2.describeSecurityGroups(
                r -> r.filters(AwsNetwork.filter("group-name", network.securityGroupName()))).securityGroups())) {
            if (!deleteSecurityGroup(ec2, group.groupId())) {
                return false;
            }
        }
        deleteKeyPair(ec2, network.keyPairName());
        return true;
    }

    private static boolean deleteSecurityGroup(Ec2Client ec2, String groupId) {
        try {
            ec2.deleteSecurityGroup(r -> r.groupId(groupId));
            return true;
        } catch (SdkException e) {
            String code = AwsErrors.code(e);
            if ("InvalidGroup.NotFound".equals(code)) {
                return true;
            }
            if ("DependencyViolation".equals(code)) {
                return false;
            }
            throw AwsErrors.map(e, "DeleteSecurityGroup " + groupId);
        }
    }

    private static void deleteKeyPair(Ec2Client ec2, String name) {
        AwsNetwork.call("DeleteKeyPair " + name, () -> ec2.deleteKeyPair(r -> r.keyName(name)));
    }

    @Override
    public List<CloudResource> findByTags(Map<String, String> tags) {
        List<CloudResource> found = new ArrayList<>();
        for (String region : settings.regions()) {
            Ec2Client ec2 = clients.ec2(region);
            List<Filter> filters = new ArrayList<>();
            tags.forEach((k, v) -> filters.add(AwsNetwork.filter("tag:" + k, v)));
            List<Filter> instanceFilters = new ArrayList<>(filters);
            instanceFilters.add(AwsNetwork.filter("instance-state-name", LIVE_STATES.toArray(String[]::new)));
            for (Reservation reservation : AwsNetwork.call("DescribeInstances in " + region,
                    () -> ec2.describeInstancesPaginator(r -> r.filters(instanceFilters)).reservations())) {
                reservation.instances().forEach(i -> found.add(new CloudResource(CloudResource.INSTANCE,
                        i.instanceId(), region, AwsTags.toMap(i.tags()))));
            }
            AwsNetwork.call("DescribeSecurityGroups in " + region, () -> ec2.describeSecurityGroups(r -> r
                    .filters(filters)).securityGroups()).forEach(g -> found.add(new CloudResource("security-group",
                    g.groupId(), region, AwsTags.toMap(g.tags()))));
            AwsNetwork.call("DescribeKeyPairs in " + region, () -> ec2.describeKeyPairs(r -> r.filters(filters))
                    .keyPairs()).forEach(k -> found.add(new CloudResource("key-pair", k.keyName(), region,
                    AwsTags.toMap(k.tags()))));
            found.addAll(volumes.find(ec2, region, filters));
            found.addAll(placementGroups.find(ec2, region, filters));
            found.addAll(elasticIps.find(ec2, region, filters));
        }
        return found;
    }

    @Override
    public boolean release(CloudResource resource) {
        Ec2Client ec2 = clients.ec2(resource.region());
        return switch (resource.kind()) {
            case CloudResource.INSTANCE -> terminateInstance(resource.region(), resource.id());
            case "security-group" -> deleteSecurityGroup(ec2, resource.id());
            case "key-pair" -> {
                deleteKeyPair(ec2, resource.id());
                yield true;
            }
            case AwsVolumes.KIND -> volumes.deleteById(ec2, resource.id());
            case AwsPlacementGroups.KIND -> placementGroups.deleteByName(ec2, resource.id());
            case AwsElasticIps.KIND -> elasticIps.release(ec2, resource.id());
            default -> throw new IllegalArgumentException("aws: unknown resource kind " + resource.kind());
        };
    }

    @Override
    public Optional<VolumeSupport> volumes() {
        return Optional.of(volumes);
    }

    @Override
    public Optional<PlacementGroupSupport> placementGroups() {
        return Optional.of(placementGroups);
    }

    /** Where the offers come from now: a path, a URL or the catalogue shipped in this jar. */
    public static String catalogSource() {
        return CATALOG.source();
    }

    @Override
    public void close() {
        clients.close();
    }
}
