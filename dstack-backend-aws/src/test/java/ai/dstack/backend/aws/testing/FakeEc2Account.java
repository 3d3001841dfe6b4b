package ai.dstack.backend.aws.testing;

import ai.dstack.backend.ssh.testing.FakeVmSsh;
import ai.dstack.backend.ssh.testing.TestSshServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One AWS account in {@link FakeEc2}: its VPCs, subnets, images, key pairs, security groups, instances, volumes and
 * placement groups, by region, and the failures a test scripts (no capacity, quota, withheld instance types, denied
 * actions, spot interruptions).
 */
public final class FakeEc2Account {
    static final String UBUNTU_OWNER = "099720109477";
    static final String DLAMI_OWNER = "898082745236";

    private final String accessKey;
    private final String accountId = String.format("%012d", Math.abs((long) System.identityHashCode(this)));
    private final AtomicInteger ids = new AtomicInteger(1);
    private final Map<String, Region> regions = new ConcurrentHashMap<>();
    private final Set<String> noCapacity = ConcurrentHashMap.newKeySet();
    private final Set<String> noQuota = ConcurrentHashMap.newKeySet();
    private final Set<String> withheld = ConcurrentHashMap.newKeySet();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();

    FakeEc2Account(String accessKey) {
        this.accessKey = accessKey;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return "fake-secret-of-" + accessKey;
    }

    // ---- scripting ----

    /**
     * RunInstances of {@code type} in {@code zone} fails with InsufficientInstanceCapacity; {@code zone} "*" for every
     * zone, and type and zone "*" for everything.
     */
    public FakeEc2Account noCapacity(String type, String zone) {
        noCapacity.add(type + "@" + zone);
        return this;
    }

    private final Map<String, Double> quotas = new ConcurrentHashMap<>();

    /**
     * Service Quotas says EC2 quota {@code code} (e.g. {@code L-DB2E81BA}, running on-demand G instances, in vCPUs)
     * is {@code value} in {@code region}. Unset EC2 instance quotas are 512 vCPUs.
     */
    public FakeEc2Account quota(String region, String code, double value) {
        quotas.put(region + "/" + code, value);
        return this;
    }

    /** The EC2 quota, or null for a code Service Quotas does not know. */
    Double quota(String region, String code) {
        Double set = quotas.get(region + "/" + code);
        return set != null ? set : FakeServiceQuotas.NAMES.containsKey(code) ? Double.valueOf(512) : null;
    }

    /** Whether {@link #deny} refused this action. */
    boolean denied(String action) {
        return denied.contains(action);
    }

    String accountId() {
        return accountId;
    }

    private volatile boolean holdVolumesCreating;

    /** New volumes stay {@code creating} while {@code hold}, as a slow EBS would keep them. */
    public FakeEc2Account holdVolumesCreating(boolean hold) {
        this.holdVolumesCreating = hold;
        return this;
    }

    /** The volume is gone, deleted outside dstack. */
    public void deleteVolumeOutside(String volumeId) {
        regions.values().forEach(r -> r.volumes.remove(volumeId));
    }

    /** Capacity is back everywhere: what {@link #noCapacity} took away. */
    public FakeEc2Account capacityBack() {
        noCapacity.clear();
        return this;
    }

    /** RunInstances of {@code type} fails with VcpuLimitExceeded. */
    public FakeEc2Account noQuota(String type) {
        noQuota.add(type);
        return this;
    }

    /** DescribeInstanceTypeOfferings leaves {@code type} out in every zone of {@code region}. */
    public FakeEc2Account withhold(String type, String region) {
        withheld.add(type + "@" + region);
        return this;
    }

    /**
     * An active capacity reservation (or, with {@code capacityBlock}, a capacity block) for one {@code type} instance
     * in {@code zone} of {@code region}; returns its id.
     */
    public String addCapacityReservation(String region, String type, String zone, boolean capacityBlock) {
        Region r = region(region);
        String id = id("cr");
        r.reservations.put(id, new CapacityReservation(id, type, zone, capacityBlock ? "capacity-block" : "default",
                "active"));
        return id;
    }

    /** {@code action} fails with UnauthorizedOperation. */
    public FakeEc2Account deny(String action) {
        denied.add(action);
        return this;
    }

    /** The cloud takes a spot instance back: it is terminated with a spot reason and its SSH server stops. */
    public void interrupt(String instanceId) {
        Instance i = findInstance(instanceId);
        i.state = "terminated";
        i.reasonCode = "Server.SpotInstanceTermination";
        i.reasonMessage = "Server.SpotInstanceTermination: Spot instance termination";
        i.stopSsh();
    }

    /** Someone terminates the instance outside dstack (the console, the CLI): EC2 says so, its SSH server stops. */
    public void terminateOutside(String instanceId) {
        Instance i = findInstance(instanceId);
        i.state = "terminated";
        i.reasonCode = "Client.UserInitiatedShutdown";
        i.reasonMessage = "Client.UserInitiatedShutdown: User initiated shutdown";
        i.stopSsh();
    }

    // ---- inspection ----

    /** Instances not terminated, in every region. */
    public List<Instance> liveInstances() {
        return regions.values().stream().flatMap(r -> r.instances.values().stream())
                .filter(i -> !i.state.equals("terminated")).toList();
    }

    public List<Instance> allInstances() {
        return regions.values().stream().flatMap(r -> r.instances.values().stream()).toList();
    }

    public Instance instance(String id) {
        return findInstance(id);
    }

    public List<String> securityGroupNames() {
        return regions.values().stream().flatMap(r -> r.groups.values().stream()).map(g -> g.name).toList();
    }

    public List<String> keyPairNames() {
        return regions.values().stream().flatMap(r -> r.keys.values().stream()).map(k -> k.name).toList();
    }

    public List<Volume> volumes() {
        return regions.values().stream().flatMap(r -> r.volumes.values().stream()).toList();
    }

    public List<String> placementGroupNames() {
        return regions.values().stream().flatMap(r -> r.placementGroups.values().stream()).map(g -> g.name).toList();
    }

    /** A fake instance. */
    public static final class Instance {
        public final String id;
        public final String type;
        public final String zone;
        public final String imageId;
        public final boolean spot;
        public final String placementGroup;
        public final int rootSizeGb;
        public final String keyName;
        public final List<String> groupIds;
        public final Map<String, String> tags;
        public final String userData;
        public final boolean publicIp;
        final String subnetId;
        final String vpcId;
        final Map<String, String> devices = new LinkedHashMap<>();
        volatile String state = "pending";
        volatile String reasonCode;
        volatile String reasonMessage;
        volatile Map<String, String> request = Map.of();
        /** Its network interfaces, as RunInstances asked for them. */
        public final List<NetworkInterface> interfaces = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile String elasticIp;
        final FakeVmSsh ssh;

        Instance(String id, String type, String zone, String imageId, boolean spot, String placementGroup,
                int rootSizeGb, String keyName, List<String> groupIds, Map<String, String> tags, String userData,
                boolean publicIp, String subnetId, String vpcId, List<String> authorizedKeys) {
            this.id = id;
            this.type = type;
            this.zone = zone;
            this.imageId = imageId;
            this.spot = spot;
            this.placementGroup = placementGroup;
            this.rootSizeGb = rootSizeGb;
            this.keyName = keyName;
            this.groupIds = groupIds;
            this.tags = tags;
            this.userData = userData;
            this.publicIp = publicIp;
            this.subnetId = subnetId;
            this.vpcId = vpcId;
            this.ssh = new FakeVmSsh(id, authorizedKeys);
        }

        public String state() {
            return state;
        }

        /** The RunInstances parameters it was made with, as EC2's Query API received them. */
        public Map<String, String> request() {
            return request;
        }

        /** The instance's SSH server; null unless it runs. */
        public TestSshServer ssh() {
            return ssh.server();
        }

        public String address() {
            return ssh.host();
        }

        void startSsh() {
            ssh.start();
        }

        void stopSsh() {
            ssh.stop();
        }
    }

    /** A network interface of an instance: its type ({@code interface}, {@code efa}, {@code efa-only}) and place. */
    public record NetworkInterface(String id, String type, int card, int device, boolean publicIp) {}

    /** A fake Elastic IP. */
    public static final class Address {
        public final String allocationId;
        public final Map<String, String> tags;
        volatile String publicIp;
        volatile String associationId;
        volatile String instanceId;
        volatile String networkInterfaceId;

        Address(String allocationId, String publicIp, Map<String, String> tags) {
            this.allocationId = allocationId;
            this.publicIp = publicIp;
            this.tags = tags;
        }

        /** The instance it is associated with; null when none. */
        public String instanceId() {
            return instanceId;
        }
    }

    /** A fake EBS volume. */
    public static final class Volume {
        public final String id;
        public final String zone;
        public final int size;
        public final Map<String, String> tags;
        volatile String state = "creating";
        volatile String attachedTo;
        volatile String device;
        volatile String attachmentState;

        Volume(String id, String zone, int size, Map<String, String> tags) {
            this.id = id;
            this.zone = zone;
            this.size = size;
            this.tags = tags;
        }

        public String state() {
            return state;
        }

        public String attachedTo() {
            return attachedTo;
        }
    }

    private record Vpc(String id, boolean isDefault, Map<String, String> tags) {}

    private record Subnet(String id, String vpcId, String zone) {}

    private record Image(String id, String name, String owner, String created) {}

    private record KeyPair(String id, String name, String material, Map<String, String> tags) {}

    private record Group(String id, String name, String vpcId, Map<String, String> tags, List<String> rules) {}

    private record PlacementGroup(String id, String name, String strategy, Map<String, String> tags) {}

    private record CapacityReservation(String id, String type, String zone, String reservationType, String state) {}

    /** The types whose instances take an Elastic Fabric Adapter (EC2's {@code NetworkInfo.EfaSupported}). */
    static final Set<String> EFA_TYPES = Set.of("g4dn.12xlarge", "g5.12xlarge", "g5.48xlarge", "g6.12xlarge",
            "g6e.12xlarge", "p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge");

    /**
     * The types with several network cards (EC2's {@code NetworkInfo.MaximumNetworkCards}); each card takes one EFA
     * interface ({@code EfaInfo.MaximumEfaInterfaces} is the number of cards). Other types have one card.
     */
    static final Map<String, Integer> NETWORK_CARDS = Map.of("p4d.24xlarge", 4, "p4de.24xlarge", 4,
            "p5.48xlarge", 32);

    /** The EC2 actions this fake answers: the ones the aws backend calls. */
    public static final Set<String> ACTIONS = Set.of("DescribeRegions", "DescribeAvailabilityZones",
            "DescribeInstanceTypeOfferings", "DescribeInstanceTypes", "DescribeCapacityReservations", "DescribeVpcs",
            "DescribeSubnets", "DescribeImages", "DescribeKeyPairs", "ImportKeyPair", "DeleteKeyPair",
            "DescribeSecurityGroups", "CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "DeleteSecurityGroup",
            "RunInstances", "DescribeInstances", "TerminateInstances", "CreateVolume", "DescribeVolumes",
            "AttachVolume", "DetachVolume", "DeleteVolume", "CreatePlacementGroup", "DescribePlacementGroups",
            "DeletePlacementGroup", "AllocateAddress", "AssociateAddress", "DescribeAddresses",
            "DisassociateAddress", "ReleaseAddress");

    /** One region's resources. */
    private final class Region {
        final String name;
        final List<String> zones;
        final Map<String, Vpc> vpcs = new ConcurrentHashMap<>();
        final Map<String, Subnet> subnets = new ConcurrentHashMap<>();
        final Map<String, Image> images = new ConcurrentHashMap<>();
        final Map<String, KeyPair> keys = new ConcurrentHashMap<>();
        final Map<String, Group> groups = new ConcurrentHashMap<>();
        final Map<String, Instance> instances = new ConcurrentHashMap<>();
        final Map<String, Volume> volumes = new ConcurrentHashMap<>();
        final Map<String, PlacementGroup> placementGroups = new ConcurrentHashMap<>();
        final Map<String, CapacityReservation> reservations = new ConcurrentHashMap<>();
        final Map<String, Address> addresses = new ConcurrentHashMap<>();

        Region(String name) {
            this.name = name;
            this.zones = List.of(name + "a", name + "b");
            Vpc vpc = new Vpc(id("vpc"), true, Map.of());
            vpcs.put(vpc.id(), vpc);
            for (String zone : zones) {
                Subnet subnet = new Subnet(id("subnet"), vpc.id(), zone);
                subnets.put(subnet.id(), subnet);
            }
            addImage("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250101", UBUNTU_OWNER, "2025-01-01");
            addImage("ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20251101", UBUNTU_OWNER, "2025-11-01");
            addImage("Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20251115", DLAMI_OWNER,
                    "2025-11-15");
        }

        void addImage(String name, String owner, String created) {
            Image image = new Image(id("ami"), name, owner, created + "T00:00:00.000Z");
            images.put(image.id(), image);
        }
    }

    /** Adds a VPC named {@code name} (tag Name) with a subnet per zone; returns its id. */
    public String addVpc(String region, String name) {
        Region r = region(region);
        Vpc vpc = new Vpc(id("vpc"), false, Map.of("Name", name));
        r.vpcs.put(vpc.id(), vpc);
        for (String zone : r.zones) {
            Subnet subnet = new Subnet(id("subnet"), vpc.id(), zone);
            r.subnets.put(subnet.id(), subnet);
        }
        return vpc.id();
    }

    /** Adds an image the account owns ({@code owner: self}). */
    public void addOwnImage(String region, String name) {
        region(region).addImage(name, accountId, "2026-01-01");
    }

    /** The id of the image an instance was launched from, by name. */
    public String imageName(String region, String imageId) {
        Image image = region(region).images.get(imageId);
        return image == null ? null : image.name();
    }

    private Region region(String name) {
        return regions.computeIfAbsent(name, Region::new);
    }

    private String id(String prefix) {
        return prefix + "-" + String.format("%08x%09x", accessKey.hashCode(), ids.getAndIncrement());
    }

    private Instance findInstance(String id) {
        return regions.values().stream().map(r -> r.instances.get(id)).filter(java.util.Objects::nonNull).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no instance " + id));
    }

    void close() {
        regions.values().forEach(r -> r.instances.values().forEach(Instance::stopSsh));
    }

    // ---- the API ----

    String handle(String regionName, String action, Map<String, String> p) {
        if (denied.contains(action)) {
            throw new Ec2Error(403, "UnauthorizedOperation", "You are not authorized to perform this operation. "
                    + "User: arn:aws:iam::" + accountId + ":user/test is not authorized to perform: ec2:" + action);
        }
        Region r = region(regionName);
        synchronized (this) {
            return switch (action) {
                case "DescribeRegions" -> describeRegions();
                case "DescribeAvailabilityZones" -> describeZones(r);
                case "DescribeInstanceTypeOfferings" -> describeOfferings(r, p);
                case "DescribeVpcs" -> describeVpcs(r, p);
                case "DescribeSubnets" -> describeSubnets(r, p);
                case "DescribeImages" -> describeImages(r, p);
                case "DescribeKeyPairs" -> describeKeyPairs(r, p);
                case "ImportKeyPair" -> importKeyPair(r, p);
                case "DeleteKeyPair" -> deleteKeyPair(r, p);
                case "DescribeSecurityGroups" -> describeGroups(r, p);
                case "CreateSecurityGroup" -> createGroup(r, p);
                case "AuthorizeSecurityGroupIngress" -> authorize(r, p);
                case "DeleteSecurityGroup" -> deleteGroup(r, p);
                case "RunInstances" -> runInstances(r, p);
                case "DescribeInstances" -> describeInstances(r, p);
                case "TerminateInstances" -> terminateInstances(r, p);
                case "CreateVolume" -> createVolume(r, p);
                case "DescribeVolumes" -> describeVolumes(r, p);
                case "AttachVolume" -> attachVolume(r, p);
                case "DetachVolume" -> detachVolume(r, p);
                case "DeleteVolume" -> deleteVolume(r, p);
                case "CreatePlacementGroup" -> createPlacementGroup(r, p);
                case "DescribePlacementGroups" -> describePlacementGroups(r, p);
                case "DeletePlacementGroup" -> deletePlacementGroup(r, p);
                case "DescribeCapacityReservations" -> describeReservations(r, p);
                case "DescribeInstanceTypes" -> describeInstanceTypes(p);
                case "AllocateAddress" -> allocateAddress(r, p);
                case "AssociateAddress" -> associateAddress(r, p);
                case "DescribeAddresses" -> describeAddresses(r, p);
                case "DisassociateAddress" -> disassociateAddress(r, p);
                case "ReleaseAddress" -> releaseAddress(r, p);
                default -> throw new Ec2Error(400, "InvalidAction", "The action " + action + " is not valid for "
                        + "this web service.");
            };
        }
    }

    private String describeReservations(Region r, Map<String, String> p) {
        Xml x = new Xml().open("capacityReservationSet");
        for (String id : Params.list(p, "CapacityReservationId")) {
            CapacityReservation c = r.reservations.get(id);
            if (c == null) {
                throw Ec2Error.notFound("InvalidCapacityReservationId.NotFound", "The capacity reservation ID '" + id
                        + "' does not exist");
            }
            x.open("item").el("capacityReservationId", c.id()).el("instanceType", c.type())
                    .el("instancePlatform", "Linux/UNIX").el("availabilityZone", c.zone()).el("state", c.state())
                    .el("totalInstanceCount", "1").el("availableInstanceCount", "1")
                    .el("reservationType", c.reservationType()).close("item");
        }
        return x.close("capacityReservationSet").toString();
    }

    private String describeInstanceTypes(Map<String, String> p) {
        Xml x = new Xml().open("instanceTypeSet");
        for (String type : Params.list(p, "InstanceType")) {
            boolean efa = EFA_TYPES.contains(type);
            int cards = NETWORK_CARDS.getOrDefault(type, 1);
            x.open("item").el("instanceType", type).open("networkInfo").el("maximumNetworkInterfaces", 4 * cards)
                    .el("maximumNetworkCards", cards).el("defaultNetworkCardIndex", 0).open("networkCards");
            for (int card = 0; card < cards; card++) {
                x.open("item").el("networkCardIndex", card).el("maximumNetworkInterfaces", 4).close("item");
            }
            x.close("networkCards").el("efaSupported", String.valueOf(efa));
            if (efa) {
                x.open("efaInfo").el("maximumEfaInterfaces", cards).close("efaInfo");
            }
            x.close("networkInfo").close("item");
        }
        return x.close("instanceTypeSet").toString();
    }

    private String describeRegions() {
        Xml x = new Xml().open("regionInfo");
        for (String name : List.of("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1")) {
            x.open("item").el("regionName", name).el("regionEndpoint", "ec2." + name + ".amazonaws.com")
                    .el("optInStatus", "opt-in-not-required").close("item");
        }
        return x.close("regionInfo").toString();
    }

    private String describeZones(Region r) {
        Xml x = new Xml().open("availabilityZoneInfo");
        for (String zone : r.zones) {
            x.open("item").el("zoneName", zone).el("zoneState", "available").el("regionName", r.name)
                    .el("zoneId", "use1-az" + zone.charAt(zone.length() - 1)).close("item");
        }
        return x.close("availabilityZoneInfo").toString();
    }

    private String describeOfferings(Region r, Map<String, String> p) {
        Map<String, List<String>> filters = Params.filters(p);
        List<String> types = filters.getOrDefault("instance-type", List.of());
        Xml x = new Xml().open("instanceTypeOfferingSet");
        for (String type : types) {
            if (withheld.contains(type + "@" + r.name)) {
                continue;
            }
            for (String zone : r.zones) {
                x.open("item").el("instanceType", type).el("locationType", "availability-zone").el("location", zone)
                        .close("item");
            }
        }
        return x.close("instanceTypeOfferingSet").toString();
    }

    private String describeVpcs(Region r, Map<String, String> p) {
        Map<String, List<String>> filters = Params.filters(p);
        Xml x = new Xml().open("vpcSet");
        for (Vpc vpc : r.vpcs.values()) {
            if (Params.matches(filters, vpc.tags(), name -> switch (name) {
                case "vpc-id" -> List.of(vpc.id());
                case "is-default", "isDefault" -> List.of(String.valueOf(vpc.isDefault()));
                default -> null;
            })) {
                x.open("item").el("vpcId", vpc.id()).el("state", "available").el("cidrBlock", "172.31.0.0/16")
                        .el("isDefault", vpc.isDefault()).tags(vpc.tags()).close("item");
            }
        }
        return x.close("vpcSet").toString();
    }

    private String describeSubnets(Region r, Map<String, String> p) {
        Map<String, List<String>> filters = Params.filters(p);
        Xml x = new Xml().open("subnetSet");
        for (Subnet s : r.subnets.values()) {
            if (Params.matches(filters, Map.of(), name -> switch (name) {
                case "vpc-id" -> List.of(s.vpcId());
                case "availability-zone" -> List.of(s.zone());
                case "subnet-id" -> List.of(s.id());
                default -> null;
            })) {
                x.open("item").el("subnetId", s.id()).el("vpcId", s.vpcId()).el("availabilityZone", s.zone())
                        .el("state", "available").el("mapPublicIpOnLaunch", true).close("item");
            }
        }
        return x.close("subnetSet").toString();
    }

    private String describeImages(Region r, Map<String, String> p) {
        Map<String, List<String>> filters = Params.filters(p);
        List<String> owners = Params.list(p, "Owner");
        Xml x = new Xml().open("imagesSet");
        for (Image image : r.images.values()) {
            String owner = image.owner();
            boolean ownerOk = owners.isEmpty() || owners.contains(owner)
                    || owners.contains("self") && owner.equals(accountId);
            if (ownerOk && Params.matches(filters, Map.of(), name -> switch (name) {
                case "name" -> List.of(image.name());
                case "state" -> List.of("available");
                default -> null;
            })) {
                x.open("item").el("imageId", image.id()).el("imageState", "available").el("imageOwnerId", owner)
                        .el("creationDate", image.created()).el("name", image.name()).el("architecture", "x86_64")
                        .close("item");
            }
        }
        return x.close("imagesSet").toString();
    }

    private String describeKeyPairs(Region r, Map<String, String> p) {
        Map<String, List<String>> filters = Params.filters(p);
        List<String> names = Params.list(p, "KeyName");
        for (String name : names) {
            if (r.keys.values().stream().noneMatch(k -> k.name().equals(name))) {
                throw Ec2Error.notFound("InvalidKeyPair.NotFound", "The key pair '" + name + "' does not exist");
            }
        }
        Xml x = new Xml().open("keySet");
        for (KeyPair k : r.keys.values()) {
            if ((names.isEmpty() || names.contains(k.name())) && Params.matches(filters, k.tags(),
                    name -> name.equals("key-name") ? List.of(k.name()) : null)) {
                x.open("item").el("keyPairId", k.id()).el("keyName", k.name()).el("keyFingerprint", "fake")
                        .tags(k.tags()).close("item");
            }
        }
        return x.close("keySet").toString();
    }

    private String importKeyPair(Region r, Map<String, String> p) {
        String name = p.get("KeyName");
        if (r.keys.values().stream().anyMatch(k -> k.name().equals(name))) {
            throw new Ec2Error(400, "InvalidKeyPair.Duplicate", "The keypair already exists");
        }
        String material = new String(Base64.getDecoder().decode(p.get("PublicKeyMaterial")), StandardCharsets.UTF_8);
        KeyPair key = new KeyPair(id("key"), name, material.strip(), Params.tagSpec(p, "key-pair"));
        r.keys.put(key.id(), key);
        return new Xml().el("keyFingerprint", "fake").el("keyName", name).el("keyPairId", key.id()).tags(key.tags())
                .toString();
    }

    private String deleteKeyPair(Region r, Map<String, String> p) {
        String name = p.get("KeyName");
        r.keys.values().removeIf(k -> k.name().equals(name));
        return new Xml().el("return", true).toString();
    }

    private String describeGroups(Region r, Map<String, String> p) {
        Map<String, List<String>> filters = Params.filters(p);
        List<String> ids = Params.list(p, "GroupId");
        Xml x = new Xml().open("securityGroupInfo");
        for (Group g : r.groups.values()) {
            if ((ids.isEmpty() || ids.contains(g.id())) && Params.matches(filters, g.tags(), name -> switch (name) {
                case "group-name" -> List.of(g.name());
                case "group-id" -> List.of(g.id());
                case "vpc-id" -> List.of(g.vpcId());
                default -> null;
            })) {
                x.open("item").el("ownerId", accountId).el("groupId", g.id()).el("groupName", g.name())
                        .el("groupDescription", "dstack").el("vpcId", g.vpcId()).tags(g.tags()).close("item");
            }
        }
        return x.close("securityGroupInfo").toString();
    }

    private String createGroup(Region r, Map<String, String> p) {
        String name = p.get("GroupName");
        String vpcId = p.getOrDefault("VpcId", r.vpcs.values().stream().filter(Vpc::isDefault).findFirst()
                .orElseThrow().id());
        if (r.groups.values().stream().anyMatch(g -> g.name().equals(name) && g.vpcId().equals(vpcId))) {
            throw new Ec2Error(400, "InvalidGroup.Duplicate", "The security group '" + name + "' already exists for VPC '"
                    + vpcId + "'");
        }
        Group g = new Group(id("sg"), name, vpcId, Params.tagSpec(p, "security-group"), new ArrayList<>());
        r.groups.put(g.id(), g);
        return new Xml().el("return", true).el("groupId", g.id()).toString();
    }

    private String authorize(Region r, Map<String, String> p) {
        Group g = group(r, p.get("GroupId"));
        for (int i = 1; p.containsKey("IpPermissions." + i + ".IpProtocol"); i++) {
            String prefix = "IpPermissions." + i + ".";
            String from = p.get(prefix + "IpRanges.1.CidrIp");
            if (from == null) {
                from = p.get(prefix + "Groups.1.GroupId");
            }
            g.rules().add(p.get(prefix + "IpProtocol") + ":" + p.getOrDefault(prefix + "FromPort", "*") + "-"
                    + p.getOrDefault(prefix + "ToPort", "*") + " from " + from);
        }
        return new Xml().el("return", true).toString();
    }

    /** The ingress rules of a security group, as "protocol:from-to from source". */
    public List<String> ingressRules(String groupName) {
        return regions.values().stream().flatMap(r -> r.groups.values().stream()).filter(g -> g.name().equals(groupName))
                .findFirst().map(Group::rules).orElse(List.of());
    }

    private Group group(Region r, String id) {
        Group g = r.groups.get(id);
        if (g == null) {
            throw Ec2Error.notFound("InvalidGroup.NotFound", "The security group '" + id + "' does not exist");
        }
        return g;
    }

    private String deleteGroup(Region r, Map<String, String> p) {
        Group g = group(r, p.get("GroupId"));
        boolean inUse = r.instances.values().stream().anyMatch(i -> !i.state.equals("terminated")
                && i.groupIds.contains(g.id()));
        if (inUse) {
            throw new Ec2Error(400, "DependencyViolation", "resource " + g.id() + " has a dependent object");
        }
        r.groups.remove(g.id());
        return new Xml().el("return", true).toString();
    }

    private String runInstances(Region r, Map<String, String> p) {
        String type = p.get("InstanceType");
        String zone = p.get("Placement.AvailabilityZone");
        String subnetId = p.get("NetworkInterface.1.SubnetId");
        Subnet subnet = subnetId == null ? null : r.subnets.get(subnetId);
        if (subnetId != null && subnet == null) {
            throw Ec2Error.notFound("InvalidSubnetID.NotFound", "The subnet ID '" + subnetId + "' does not exist");
        }
        if (zone == null) {
            zone = subnet != null ? subnet.zone() : r.zones.get(0);
        }
        if (subnet != null && !subnet.zone().equals(zone)) {
            throw new Ec2Error(400, "InvalidParameterCombination", "subnet " + subnetId + " is not in " + zone);
        }
        if (!r.images.containsKey(p.get("ImageId"))) {
            throw Ec2Error.notFound("InvalidAMIID.NotFound", "The image id '[" + p.get("ImageId") + "]' does not exist");
        }
        if (noQuota.contains(type)) {
            throw new Ec2Error(400, "VcpuLimitExceeded", "You have requested more vCPU capacity than your current "
                    + "vCPU limit of 0 allows for the instance bucket that the specified instance type belongs to. "
                    + "Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.");
        }
        if (noCapacity.contains(type + "@" + zone) || noCapacity.contains(type + "@*")
                || noCapacity.contains("*@*")) {
            throw new Ec2Error(500, "InsufficientInstanceCapacity", "We currently do not have sufficient " + type
                    + " capacity in the Availability Zone you requested (" + zone + "). Our system will be working "
                    + "on provisioning additional capacity.");
        }
        String keyName = p.get("KeyName");
        List<String> keys = new ArrayList<>();
        if (keyName != null) {
            KeyPair key = r.keys.values().stream().filter(k -> k.name().equals(keyName)).findFirst()
                    .orElseThrow(() -> Ec2Error.notFound("InvalidKeyPair.NotFound",
                            "The key pair '" + keyName + "' does not exist"));
            keys.add(key.material());
        }
        String userData = p.get("UserData") == null ? null
                : new String(Base64.getDecoder().decode(p.get("UserData")), StandardCharsets.UTF_8);
        keys.addAll(cloudInitKeys(userData));
        List<String> groups = Params.list(p, "NetworkInterface.1.SecurityGroupId");
        if (groups.isEmpty()) {
            groups = Params.list(p, "SecurityGroupId");
        }
        groups.forEach(g -> group(r, g));
        String placementGroup = p.get("Placement.GroupName");
        if (placementGroup != null && r.placementGroups.values().stream().noneMatch(g -> g.name().equals(placementGroup))) {
            throw Ec2Error.notFound("InvalidPlacementGroup.Unknown", "The Placement Group '" + placementGroup
                    + "' is unknown.");
        }
        List<NetworkInterface> interfaces = networkInterfaces(type, p);
        String reservationId = p.get("CapacityReservationSpecification.CapacityReservationTarget.CapacityReservationId");
        if (reservationId != null) {
            CapacityReservation c = r.reservations.get(reservationId);
            if (c == null) {
                throw Ec2Error.notFound("InvalidCapacityReservationId.NotFound", "The capacity reservation ID '"
                        + reservationId + "' does not exist");
            }
            if (!c.type().equals(type) || !c.zone().equals(zone)) {
                throw new Ec2Error(400, "InvalidParameterCombination", "The instance type and Availability Zone must"
                        + " match those of capacity reservation " + reservationId + " (" + c.type() + " in " + c.zone()
                        + ")");
            }
            boolean block = "capacity-block".equals(p.get("InstanceMarketOptions.MarketType"));
            if (c.reservationType().equals("capacity-block") != block) {
                throw new Ec2Error(400, "InvalidParameterCombination", block ? "MarketType capacity-block needs a"
                        + " Capacity Block reservation" : "Launching into Capacity Block " + reservationId
                        + " needs InstanceMarketOptions.MarketType capacity-block");
            }
        }
        boolean spot = "spot".equals(p.get("InstanceMarketOptions.MarketType"));
        int root = Integer.parseInt(p.getOrDefault("BlockDeviceMapping.1.Ebs.VolumeSize", "8"));
        Instance i = new Instance(id("i"), type, zone, p.get("ImageId"), spot, placementGroup, root, keyName, groups,
                Params.tagSpec(p, "instance"), userData, interfaces.size() <= 1
                        && Boolean.parseBoolean(p.getOrDefault("NetworkInterface.1.AssociatePublicIpAddress", "true")),
                subnet == null ? null : subnet.id(), subnet == null ? null : subnet.vpcId(), keys);
        i.interfaces.addAll(interfaces);
        i.request = Map.copyOf(p);
        i.devices.put("/dev/sda1", id("vol"));
        r.instances.put(i.id, i);
        return new Xml().el("reservationId", id("r")).el("ownerId", accountId).open("instancesSet")
                .open("item").toString() + instanceXml(i) + "</item></instancesSet>";
    }

    /**
     * The RunInstances {@code NetworkInterface.N}, checked as EC2 checks them: EFA types only for {@code efa} and
     * {@code efa-only}, network cards the type has, one interface per card and device index, and no public address
     * asked for when there are several.
     */
    private List<NetworkInterface> networkInterfaces(String type, Map<String, String> p) {
        List<NetworkInterface> interfaces = new ArrayList<>();
        for (int n = 1; p.containsKey("NetworkInterface." + n + ".DeviceIndex"); n++) {
            String prefix = "NetworkInterface." + n + ".";
            String interfaceType = p.getOrDefault(prefix + "InterfaceType", "interface");
            int card = Integer.parseInt(p.getOrDefault(prefix + "NetworkCardIndex", "0"));
            int device = Integer.parseInt(p.get(prefix + "DeviceIndex"));
            if (interfaceType.startsWith("efa") && !EFA_TYPES.contains(type)) {
                throw new Ec2Error(400, "InvalidParameterCombination", "EFA interfaces are not supported on " + type);
            }
            if (card >= NETWORK_CARDS.getOrDefault(type, 1)) {
                throw new Ec2Error(400, "InvalidParameterValue", "Network card index " + card + " is not valid for "
                        + "instance type " + type);
            }
            if (interfaces.stream().anyMatch(i -> i.card() == card && i.device() == device)) {
                throw new Ec2Error(400, "InvalidParameterValue", "Each network interface requires a unique device "
                        + "index on its network card (card " + card + ", device " + device + ")");
            }
            interfaces.add(new NetworkInterface(id("eni"), interfaceType, card, device,
                    Boolean.parseBoolean(p.getOrDefault(prefix + "AssociatePublicIpAddress", "false"))));
        }
        if (interfaces.size() > 1 && interfaces.stream().anyMatch(NetworkInterface::publicIp)) {
            throw new Ec2Error(400, "InvalidParameterCombination", "The associatePublicIPAddress parameter cannot be "
                    + "specified when launching with multiple network interfaces.");
        }
        return interfaces;
    }

    // ---- Elastic IPs: the fake has one loopback address per VM, so an Elastic IP takes the address of the VM it is
    // associated with (before that it has none that routes anywhere: 127.255.x.y, never contacted) ----

    private String allocateAddress(Region r, Map<String, String> p) {
        int n = ids.getAndIncrement();
        Address a = new Address(id("eipalloc"), "127.255." + (n / 250 % 250) + "." + (n % 250 + 1),
                Params.tagSpec(p, "elastic-ip"));
        r.addresses.put(a.allocationId, a);
        return new Xml().el("publicIp", a.publicIp).el("allocationId", a.allocationId).el("domain", "vpc").toString();
    }

    private Address address(Region r, String allocationId) {
        Address a = r.addresses.get(allocationId);
        if (a == null) {
            throw Ec2Error.notFound("InvalidAllocationID.NotFound", "The allocation ID '" + allocationId
                    + "' does not exist");
        }
        return a;
    }

    private String associateAddress(Region r, Map<String, String> p) {
        Address a = address(r, p.get("AllocationId"));
        String eni = p.get("NetworkInterfaceId");
        Instance i = r.instances.values().stream().filter(x -> x.interfaces.stream().anyMatch(n -> n.id().equals(eni)))
                .findFirst().orElseThrow(() -> Ec2Error.notFound("InvalidNetworkInterfaceID.NotFound",
                        "The networkInterface ID '" + eni + "' does not exist"));
        if (a.associationId != null && !"true".equals(p.get("AllowReassociation"))) {
            throw new Ec2Error(400, "Resource.AlreadyAssociated", "resource " + a.allocationId
                    + " is already associated with associate-id " + a.associationId);
        }
        a.associationId = id("eipassoc");
        a.instanceId = i.id;
        a.networkInterfaceId = eni;
        a.publicIp = i.address();
        i.elasticIp = a.allocationId;
        return new Xml().el("return", true).el("associationId", a.associationId).toString();
    }

    private String describeAddresses(Region r, Map<String, String> p) {
        List<String> ids = Params.list(p, "AllocationId");
        Map<String, List<String>> filters = Params.filters(p);
        Xml x = new Xml().open("addressesSet");
        for (String id : ids) {
            address(r, id);
        }
        for (Address a : r.addresses.values()) {
            if ((ids.isEmpty() || ids.contains(a.allocationId)) && Params.matches(filters, a.tags, name -> switch (name) {
                case "allocation-id" -> List.of(a.allocationId);
                case "instance-id" -> a.instanceId == null ? List.of() : List.of(a.instanceId);
                default -> null;
            })) {
                x.open("item").el("publicIp", a.publicIp).el("allocationId", a.allocationId).el("domain", "vpc")
                        .el("associationId", a.associationId).el("instanceId", a.instanceId)
                        .el("networkInterfaceId", a.networkInterfaceId).tags(a.tags).close("item");
            }
        }
        return x.close("addressesSet").toString();
    }

    private String disassociateAddress(Region r, Map<String, String> p) {
        String association = p.get("AssociationId");
        Address a = r.addresses.values().stream().filter(x -> association.equals(x.associationId)).findFirst()
                .orElseThrow(() -> Ec2Error.notFound("InvalidAssociationID.NotFound", "The association ID '"
                        + association + "' does not exist"));
        disassociate(r, a);
        return new Xml().el("return", true).toString();
    }

    private static void disassociate(Region r, Address a) {
        Instance i = a.instanceId == null ? null : r.instances.get(a.instanceId);
        if (i != null) {
            i.elasticIp = null;
        }
        a.associationId = null;
        a.instanceId = null;
        a.networkInterfaceId = null;
    }

    private String releaseAddress(Region r, Map<String, String> p) {
        Address a = address(r, p.get("AllocationId"));
        if (a.associationId != null) {
            throw new Ec2Error(400, "InvalidIPAddress.InUse", "Address " + a.publicIp + " is in use.");
        }
        r.addresses.remove(a.allocationId);
        return new Xml().el("return", true).toString();
    }

    /** The account's Elastic IPs, in every region. */
    public List<Address> addresses() {
        return regions.values().stream().flatMap(r -> r.addresses.values().stream()).toList();
    }

    private static List<String> cloudInitKeys(String userData) {
        List<String> keys = new ArrayList<>();
        if (userData == null) {
            return keys;
        }
        boolean inKeys = false;
        for (String line : userData.split("\n")) {
            if (line.startsWith("ssh_authorized_keys:")) {
                inKeys = true;
            } else if (inKeys && line.startsWith("  - ")) {
                keys.add(line.substring(4).strip());
            } else {
                inKeys = false;
            }
        }
        return keys;
    }

    private volatile java.util.function.Consumer<TestSshServer> vmStart = vm -> {};

    /** Prepares each VM's SSH host as it starts (e.g. stand-ins for its tools in {@code ~/bin}). */
    public FakeEc2Account onVmStart(java.util.function.Consumer<TestSshServer> prepare) {
        this.vmStart = prepare;
        return this;
    }

    /** pending becomes running (the SSH server starts), shutting-down becomes terminated, on the next look. */
    private void advance(Instance i) {
        if (i.state.equals("pending")) {
            i.startSsh();
            vmStart.accept(i.ssh());
            i.state = "running";
        } else if (i.state.equals("shutting-down")) {
            i.state = "terminated";
            // EC2 disassociates an Elastic IP from a terminated instance (and keeps it allocated)
            regions.values().forEach(r -> r.addresses.values().stream().filter(a -> i.id.equals(a.instanceId))
                    .toList().forEach(a -> disassociate(r, a)));
        }
    }

    private String instanceXml(Instance i) {
        Xml x = new Xml().el("instanceId", i.id).el("imageId", i.imageId).open("instanceState")
                .el("code", stateCode(i.state)).el("name", i.state).close("instanceState")
                .el("instanceType", i.type).el("keyName", i.keyName)
                .open("placement").el("availabilityZone", i.zone).el("groupName", i.placementGroup)
                .el("tenancy", "default").close("placement")
                .el("subnetId", i.subnetId).el("vpcId", i.vpcId);
        if (i.state.equals("running") && i.ssh.host() != null) {
            x.el("privateIpAddress", i.ssh.host());
            if (i.publicIp || i.elasticIp != null) {
                x.el("ipAddress", i.ssh.host());
            }
        }
        x.open("networkInterfaceSet");
        for (NetworkInterface n : i.interfaces) {
            x.open("item").el("networkInterfaceId", n.id()).el("interfaceType", n.type()).el("subnetId", i.subnetId)
                    .open("attachment").el("attachmentId", "attach-" + n.id()).el("deviceIndex", n.device())
                    .el("networkCardIndex", n.card()).el("status", "attached").close("attachment").close("item");
        }
        x.close("networkInterfaceSet");
        x.open("groupSet");
        i.groupIds.forEach(g -> x.open("item").el("groupId", g).close("item"));
        x.close("groupSet");
        if (i.reasonCode != null) {
            x.open("stateReason").el("code", i.reasonCode).el("message", i.reasonMessage).close("stateReason");
        }
        if (i.spot) {
            x.el("instanceLifecycle", "spot");
        }
        x.open("blockDeviceMapping");
        i.devices.forEach((device, vol) -> x.open("item").el("deviceName", device).open("ebs").el("volumeId", vol)
                .el("status", "attached").close("ebs").close("item"));
        x.close("blockDeviceMapping");
        return x.tags(i.tags).toString();
    }

    private static int stateCode(String state) {
        return switch (state) {
            case "pending" -> 0;
            case "running" -> 16;
            case "shutting-down" -> 32;
            case "terminated" -> 48;
            case "stopping" -> 64;
            default -> 80;
        };
    }

    private String describeInstances(Region r, Map<String, String> p) {
        List<String> ids = Params.list(p, "InstanceId");
        for (String id : ids) {
            if (!r.instances.containsKey(id)) {
                throw Ec2Error.notFound("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
            }
        }
        Map<String, List<String>> filters = Params.filters(p);
        StringBuilder out = new StringBuilder("<reservationSet>");
        for (Instance i : r.instances.values()) {
            if (!ids.isEmpty() && !ids.contains(i.id)) {
                continue;
            }
            advance(i);
            if (Params.matches(filters, i.tags, name -> switch (name) {
                case "instance-state-name" -> List.of(i.state);
                case "instance-id" -> List.of(i.id);
                default -> null;
            })) {
                out.append("<item><reservationId>r-").append(i.id.substring(2)).append("</reservationId><ownerId>")
                        .append(accountId).append("</ownerId><instancesSet><item>").append(instanceXml(i))
                        .append("</item></instancesSet></item>");
            }
        }
        return out.append("</reservationSet>").toString();
    }

    private String terminateInstances(Region r, Map<String, String> p) {
        Xml x = new Xml().open("instancesSet");
        for (String id : Params.list(p, "InstanceId")) {
            Instance i = r.instances.get(id);
            if (i == null) {
                throw Ec2Error.notFound("InvalidInstanceID.NotFound", "The instance ID '" + id + "' does not exist");
            }
            String previous = i.state;
            if (!i.state.equals("terminated")) {
                i.state = "shutting-down";
                i.stopSsh();
                r.volumes.values().stream().filter(v -> id.equals(v.attachedTo)).forEach(v -> {
                    v.attachedTo = null;
                    v.device = null;
                    v.state = "available";
                });
            }
            x.open("item").el("instanceId", id).open("currentState").el("code", stateCode(i.state))
                    .el("name", i.state).close("currentState").open("previousState").el("code", stateCode(previous))
                    .el("name", previous).close("previousState").close("item");
        }
        return x.close("instancesSet").toString();
    }

    private String createVolume(Region r, Map<String, String> p) {
        String zone = p.get("AvailabilityZone");
        if (!r.zones.contains(zone)) {
            throw new Ec2Error(400, "InvalidParameterValue", "Invalid availability zone: [" + zone + "]");
        }
        Volume v = new Volume(id("vol"), zone, Integer.parseInt(p.get("Size")), Params.tagSpec(p, "volume"));
        r.volumes.put(v.id, v);
        return volumeXml(new Xml(), v).toString();
    }

    private Xml volumeXml(Xml x, Volume v) {
        x.el("volumeId", v.id).el("size", v.size).el("availabilityZone", v.zone).el("status", v.state)
                .el("createTime", "2026-12-06T00:00:00.000Z").el("volumeType", "gp3");
        x.open("attachmentSet");
        if (v.attachedTo != null) {
            x.open("item").el("volumeId", v.id).el("instanceId", v.attachedTo).el("device", v.device)
                    .el("status", v.attachmentState).close("item");
        }
        x.close("attachmentSet");
        return x.tags(v.tags);
    }

    private Volume volume(Region r, String id) {
        Volume v = r.volumes.get(id);
        if (v == null) {
            throw Ec2Error.notFound("InvalidVolume.NotFound", "The volume '" + id + "' does not exist.");
        }
        return v;
    }

    private String describeVolumes(Region r, Map<String, String> p) {
        List<String> ids = Params.list(p, "VolumeId");
        ids.forEach(id -> volume(r, id));
        Map<String, List<String>> filters = Params.filters(p);
        Xml x = new Xml().open("volumeSet");
        for (Volume v : r.volumes.values()) {
            if (!ids.isEmpty() && !ids.contains(v.id)) {
                continue;
            }
            if (v.state.equals("creating") && !holdVolumesCreating) {
                v.state = "available";
            }
            if ("detaching".equals(v.attachmentState)) {
                v.attachedTo = null;
                v.device = null;
                v.attachmentState = null;
                v.state = "available";
            }
            if (Params.matches(filters, v.tags, name -> name.equals("volume-id") ? List.of(v.id)
                    : name.equals("status") ? List.of(v.state) : null)) {
                volumeXml(x.open("item"), v).close("item");
            }
        }
        return x.close("volumeSet").toString();
    }

    private String attachVolume(Region r, Map<String, String> p) {
        Volume v = volume(r, p.get("VolumeId"));
        Instance i = r.instances.get(p.get("InstanceId"));
        if (i == null) {
            throw Ec2Error.notFound("InvalidInstanceID.NotFound", "The instance ID '" + p.get("InstanceId")
                    + "' does not exist");
        }
        if (!v.state.equals("available")) {
            throw new Ec2Error(400, "IncorrectState", "vol '" + v.id + "' is not 'available'.");
        }
        if (!v.zone.equals(i.zone)) {
            throw new Ec2Error(400, "InvalidVolume.ZoneMismatch", "The volume '" + v.id + "' is not in the same "
                    + "availability zone as instance '" + i.id + "'");
        }
        v.attachedTo = i.id;
        v.device = p.get("Device");
        v.attachmentState = "attached";
        v.state = "in-use";
        i.devices.put(v.device, v.id);
        return new Xml().el("volumeId", v.id).el("instanceId", i.id).el("device", v.device).el("status", "attaching")
                .toString();
    }

    private String detachVolume(Region r, Map<String, String> p) {
        Volume v = volume(r, p.get("VolumeId"));
        if (v.attachedTo == null) {
            throw new Ec2Error(400, "IncorrectState", "Volume '" + v.id + "' is in the 'available' state.");
        }
        Instance i = r.instances.get(v.attachedTo);
        if (i != null) {
            i.devices.remove(v.device);
        }
        v.attachmentState = "detaching";
        return new Xml().el("volumeId", v.id).el("instanceId", v.attachedTo).el("device", v.device)
                .el("status", "detaching").toString();
    }

    private String deleteVolume(Region r, Map<String, String> p) {
        Volume v = volume(r, p.get("VolumeId"));
        if (v.attachedTo != null) {
            throw new Ec2Error(400, "VolumeInUse", "Volume " + v.id + " is currently attached to " + v.attachedTo);
        }
        r.volumes.remove(v.id);
        return new Xml().el("return", true).toString();
    }

    private String createPlacementGroup(Region r, Map<String, String> p) {
        String name = p.get("GroupName");
        if (r.placementGroups.values().stream().anyMatch(g -> g.name().equals(name))) {
            throw new Ec2Error(400, "InvalidPlacementGroup.Duplicate", "The Placement Group '" + name
                    + "' already exists.");
        }
        PlacementGroup g = new PlacementGroup(id("pg"), name, p.get("Strategy"), Params.tagSpec(p, "placement-group"));
        r.placementGroups.put(g.id(), g);
        return new Xml().open("placementGroup").el("groupName", name).el("state", "available")
                .el("strategy", g.strategy()).el("groupId", g.id()).tags(g.tags()).close("placementGroup").toString();
    }

    private String describePlacementGroups(Region r, Map<String, String> p) {
        Map<String, List<String>> filters = Params.filters(p);
        Xml x = new Xml().open("placementGroupSet");
        for (PlacementGroup g : r.placementGroups.values()) {
            if (Params.matches(filters, g.tags(), name -> name.equals("group-name") ? List.of(g.name()) : null)) {
                x.open("item").el("groupName", g.name()).el("state", "available").el("strategy", g.strategy())
                        .el("groupId", g.id()).tags(g.tags()).close("item");
            }
        }
        return x.close("placementGroupSet").toString();
    }

    /** What the account holds besides terminated instances: instances, security groups, key pairs, volumes, groups. */
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        liveInstances().forEach(i -> left.add("instance " + i.id + " " + i.state()));
        securityGroupNames().forEach(g -> left.add("security group " + g));
        keyPairNames().forEach(k -> left.add("key pair " + k));
        volumes().forEach(v -> left.add("volume " + v.id));
        placementGroupNames().forEach(g -> left.add("placement group " + g));
        addresses().forEach(a -> left.add("elastic IP " + a.allocationId));
        return left;
    }

    /** The strategy of a placement group, or null when there is none of that name. */
    public String placementStrategy(String name) {
        return regions.values().stream().flatMap(r -> r.placementGroups.values().stream())
                .filter(g -> g.name().equals(name)).map(PlacementGroup::strategy).findFirst().orElse(null);
    }

    private String deletePlacementGroup(Region r, Map<String, String> p) {
        String name = p.get("GroupName");
        PlacementGroup g = r.placementGroups.values().stream().filter(x -> x.name().equals(name)).findFirst()
                .orElseThrow(() -> Ec2Error.notFound("InvalidPlacementGroup.Unknown", "The Placement Group '" + name
                        + "' is unknown."));
        if (r.instances.values().stream().anyMatch(i -> name.equals(i.placementGroup) && !i.state.equals("terminated"))) {
            throw new Ec2Error(400, "InvalidPlacementGroup.InUse", "The placement group '" + name + "' is in use");
        }
        r.placementGroups.remove(g.id());
        return new Xml().el("return", true).toString();
    }
}
