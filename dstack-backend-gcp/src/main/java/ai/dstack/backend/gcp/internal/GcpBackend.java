package ai.dstack.backend.gcp.internal;

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
import com.google.cloud.compute.v1.AcceleratorConfig;
import com.google.cloud.compute.v1.AccessConfig;
import com.google.cloud.compute.v1.AggregatedListInstancesRequest;
import com.google.cloud.compute.v1.Allowed;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.AttachedDiskInitializeParams;
import com.google.cloud.compute.v1.Firewall;
import com.google.cloud.compute.v1.Instance;
import com.google.cloud.compute.v1.Items;
import com.google.cloud.compute.v1.Metadata;
import com.google.cloud.compute.v1.NetworkInterface;
import com.google.cloud.compute.v1.Scheduling;
import com.google.cloud.compute.v1.ServiceAccount;
import com.google.cloud.compute.v1.Zone;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The GCP backend: Compute Engine VMs for catalogue offers in the configured regions, with the project's SSH keys in
 * the instance metadata, dstack's labels, a firewall rule opening SSH to instances tagged for the project, spot VMs
 * ({@code provisioningModel: SPOT}, deleted by GCE when preempted) and attachable GPUs.
 */
public final class GcpBackend implements Backend {
    static final String TYPE = "gcp";
    static final String DEFAULT_USER = "ubuntu";
    /** The backend data of a TPU VM's provisioning data, as dstack marks it. */
    static final String TPU_DATA = "{\"is_tpu\":true}";
    /** Single-host TPU types, as dstack provisions them: one VM, no slice. */
    private static final java.util.regex.Pattern SINGLE_HOST_TPU = java.util.regex.Pattern.compile(
            "v[2-4]-8|v5litepod-[148]|v5p-8|v6e-[148]");
    private static final com.fasterxml.jackson.databind.ObjectMapper TPU_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();
    static final String CPU_IMAGE = "projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts";
    static final String GPU_IMAGE = "projects/deeplearning-platform-release/global/images/family/common-cu124-ubuntu-2204-py310";
    private static final OfferCatalog CATALOG = new OfferCatalog("gcp", "ai/dstack/backend/gcp/internal/gcp-catalog.csv",
            GcpBackend.class.getClassLoader());
    /** Families whose GPUs come with the machine type; other GPU offers attach theirs as guest accelerators. */
    private static final List<String> BUILT_IN_GPU_FAMILIES = List.of("a2-", "a3-", "g2-");
    private static final Map<String, String> ACCELERATORS = Map.of(
            "T4", "nvidia-tesla-t4", "L4", "nvidia-l4", "V100", "nvidia-tesla-v100", "P100", "nvidia-tesla-p100",
            "P4", "nvidia-tesla-p4", "A100/40", "nvidia-tesla-a100", "A100/80", "nvidia-a100-80gb",
            "H100/80", "nvidia-h100-80gb");

    private final GcpSettings settings;
    private final GcpClients clients;
    private final GcpOperations operations;
    private final GcpVolumes volumes;
    private final GcpPlacement placement;
    private final GcpTpus tpus;

    public GcpBackend(GcpSettings settings) {
        this.settings = settings;
        this.clients = new GcpClients(settings);
        this.operations = new GcpOperations(clients, settings.projectId());
        this.volumes = new GcpVolumes(settings, clients, operations);
        this.placement = new GcpPlacement(settings, clients, operations);
        this.tpus = new GcpTpus(settings, clients::accessToken);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * A cheap read call: the project ({@code projects.get}); with {@code public_ips: false} and {@code nat_check}, a
     * Cloud NAT in every region's routers of the network project.
     */
    @Override
    public void checkCredentials() {
        try {
            clients.projects().get(settings.projectId());
        } catch (RuntimeException e) {
            BackendException mapped = GcpErrors.map(e, "checking the credentials (projects.get "
                    + settings.projectId() + ")");
            if (mapped.failure() == BackendFailure.NOT_FOUND) {
                throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: project_id "
                        + settings.projectId() + " not found", mapped.cloudCode(), mapped.cloudMessage(), e);
            }
            if (mapped.failure() == BackendFailure.INVALID_CREDENTIALS
                    || mapped.failure() == BackendFailure.PERMISSION_DENIED) {
                throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: "
                        + mapped.getMessage(), mapped.cloudCode(), mapped.cloudMessage(), e);
            }
            throw mapped;
        }
        if (!settings.publicIps() && settings.natCheck() && settings.vpcProjectId() == null) {
            for (String region : settings.regions()) {
                boolean nat;
                try {
                    nat = java.util.stream.StreamSupport.stream(clients.routers().list(settings.projectId(), region)
                            .iterateAll().spliterator(), false).anyMatch(r -> r.getNatsCount() > 0);
                } catch (RuntimeException e) {
                    throw GcpErrors.map(e, "routers.list in " + region + " (nat_check)");
                }
                if (!nat) {
                    throw GcpSettings.invalid("nat_check", "is on and public_ips is false, but region " + region
                            + " has no Cloud NAT: VMs there could not reach the internet (add one, or set "
                            + "nat_check: false)");
                }
            }
        }
    }

    @Override
    public List<InstanceOfferWithAvailability> offers(OfferRequirements requirements) {
        List<String> regions = settings.regions().stream()
                .filter(r -> requirements.regions().isEmpty() || requirements.regions().contains(r)).toList();
        List<InstanceOffer> candidates = new ArrayList<>();
        for (OfferCatalog.Row row : CATALOG.rows(regions)) {
            InstanceOffer offer = row.toOffer(TYPE, requirements.diskMib());
            if (requirements.matches(offer)) {
                candidates.add(offer);
            }
        }
        Map<String, Set<String>> typesByZone = candidates.isEmpty() ? Map.of() : zonesOf("machine types",
                () -> {
                    Map<String, Set<String>> byZone = new HashMap<>();
                    clients.machineTypes().aggregatedList(settings.projectId()).iterateAll().forEach(e ->
                            e.getValue().getMachineTypesList().forEach(t -> byZone.computeIfAbsent(
                                    GcpOperations.last(e.getKey()), k -> new HashSet<>()).add(t.getName())));
                    return byZone;
                });
        boolean anyAttachable = candidates.stream().anyMatch(o -> accelerator(o) != null);
        Map<String, Set<String>> acceleratorsByZone = !anyAttachable ? Map.of() : zonesOf("accelerator types",
                () -> {
                    Map<String, Set<String>> byZone = new HashMap<>();
                    clients.acceleratorTypes().aggregatedList(settings.projectId()).iterateAll().forEach(e ->
                            e.getValue().getAcceleratorTypesList().forEach(t -> byZone.computeIfAbsent(
                                    GcpOperations.last(e.getKey()), k -> new HashSet<>()).add(t.getName())));
                    return byZone;
                });
        List<InstanceOfferWithAvailability> offers = new ArrayList<>();
        for (InstanceOffer offer : candidates) {
            if (isTpu(offer)) {
                offers.add(offer.withAvailability(InstanceAvailability.UNKNOWN, null));
                continue;
            }
            if (typesByZone == null || (anyAttachable && acceleratorsByZone == null)) {
                offers.add(offer.withAvailability(InstanceAvailability.UNKNOWN, null));
                continue;
            }
            String accelerator = accelerator(offer);
            List<String> zones = new TreeMap<>(typesByZone).entrySet().stream()
                    .filter(e -> e.getKey().startsWith(offer.region() + "-"))
                    .filter(e -> e.getValue().contains(offer.instance().name()))
                    .filter(e -> accelerator == null || acceleratorsByZone.getOrDefault(e.getKey(), Set.of())
                            .contains(accelerator))
                    .map(Map.Entry::getKey).toList();
            offers.add(offer.withAvailability(zones.isEmpty() ? InstanceAvailability.NOT_AVAILABLE
                    : InstanceAvailability.AVAILABLE, zones));
        }
        offers.sort(Comparator.comparingDouble(InstanceOfferWithAvailability::price)
                .thenComparing(o -> !o.availability().isAvailable())
                .thenComparing(o -> o.instance().name()).thenComparing(InstanceOfferWithAvailability::region));
        return offers;
    }

    /** What the API says per zone; null (availability unknown) when it would not say. */
    private static Map<String, Set<String>> zonesOf(String what, java.util.function.Supplier<Map<String, Set<String>>>
            call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(GcpBackend.class).warn("{}",
                    GcpErrors.map(e, "listing " + what).getMessage());
            return null;
        }
    }

    private static boolean isTpu(InstanceOffer offer) {
        var gpus = offer.instance().resources().gpus();
        return !gpus.isEmpty() && gpus.get(0).vendor() != null
                && gpus.get(0).vendor().name().equalsIgnoreCase("google");
    }

    /** The accelerator type an offer attaches to an N1 VM; null for CPU offers and built-in GPU families. */
    static String accelerator(InstanceOffer offer) {
        var gpus = offer.instance().resources().gpus();
        if (gpus.isEmpty() || isTpu(offer)
                || BUILT_IN_GPU_FAMILIES.stream().anyMatch(offer.instance().name()::startsWith)) {
            return null;
        }
        String name = gpus.get(0).name().toUpperCase(Locale.ROOT);
        String withMemory = name + "/" + Math.round(gpus.get(0).memoryMib() / 1024.0);
        return ACCELERATORS.getOrDefault(withMemory, ACCELERATORS.get(name));
    }

    @Override
    public ProvisioningData createInstance(InstanceOfferWithAvailability offer, InstanceConfiguration config) {
        boolean tpu = isTpu(offer.offer());
        if (tpu) {
            refuseForTpu(offer, config);
        }
        boolean gpu = !offer.instance().resources().gpus().isEmpty();
        GcpSettings.OsImage image = settings.osImages().get(gpu ? "nvidia" : "cpu");
        if (image == null) {
            image = new GcpSettings.OsImage(gpu ? GPU_IMAGE : CPU_IMAGE, DEFAULT_USER);
        }
        ensureFirewall();
        try {
            return tpu ? createTpu(offer, config) : create(offer, config, image);
        } catch (RuntimeException e) {
            try {
                releaseFirewallWhenUnused();
            } catch (RuntimeException cleanUp) {
                e.addSuppressed(cleanUp);
            }
            throw e;
        }
    }

    /** What a TPU VM cannot take here: a multi-host slice, a placement group, a reservation, extra VPCs. */
    private void refuseForTpu(InstanceOfferWithAvailability offer, InstanceConfiguration config) {
        String type = offer.instance().name();
        String why = null;
        if (!SINGLE_HOST_TPU.matcher(type).matches()) {
            why = "it is a multi-host TPU slice, which this server does not provision (single-host ones: v2-8, v3-8,"
                    + " v4-8, v5litepod-1/4/8, v5p-8, v6e-1/4/8)";
        } else if (config.placementGroup() != null) {
            why = "TPU VMs are not put in placement groups (`placement: cluster`)";
        } else if (config.reservation() != null) {
            why = "TPU VMs are not made from a `reservation` by this server";
        } else if (!settings.extraVpcs().isEmpty()) {
            why = "TPU VMs get one network interface, so the backend's `extra_vpcs` cannot be honoured";
        }
        if (why != null) {
            throw new BackendException(BackendFailure.OTHER, "gcp: " + type + " cannot be provisioned: " + why);
        }
    }

    /**
     * A single-host TPU VM ({@code acceleratorType} = the offer's name) with dstack's runtime version for its
     * generation, the project's keys in {@code ssh-keys} metadata, dstack's labels and the SSH firewall's network tag,
     * spot as {@code schedulingConfig.spot}; tried zone by zone on no capacity as VMs are.
     */
    private ProvisioningData createTpu(InstanceOfferWithAvailability offer, InstanceConfiguration config) {
        String region = offer.region();
        List<String> zones = offer.availabilityZones() == null || offer.availabilityZones().isEmpty()
                ? zonesOf(region) : offer.availabilityZones();
        String name = GcpNames.resourceName(config.instanceName());
        boolean spot = offer.instance().resources().spot();
        StringBuilder keys = new StringBuilder();
        config.sshPublicKeys().forEach(k -> keys.append(DEFAULT_USER).append(':').append(k.strip()).append('\n'));
        ObjectNode node = TPU_JSON.createObjectNode().put("acceleratorType", offer.instance().name())
                .put("runtimeVersion", GcpTpus.runtimeVersion(offer.instance().name()));
        ObjectNode network = node.putObject("networkConfig")
                .put("network", "projects/" + settings.networkProject() + "/global/networks/" + settings.vpcName())
                .put("enableExternalIps", settings.publicIps());
        if (settings.vpcProjectId() != null) {
            network.put("subnetwork", "projects/" + settings.networkProject() + "/regions/" + region
                    + "/subnetworks/" + settings.vpcName());
        }
        node.putArray("tags").add(firewallTarget());
        ObjectNode labels = node.putObject("labels");
        GcpNames.labels(tags(config)).forEach(labels::put);
        node.putObject("metadata").put("ssh-keys", keys.toString());
        if (spot) {
            node.putObject("schedulingConfig").put("spot", true);
        }
        List<String> tried = new ArrayList<>();
        BackendException last = null;
        for (String zone : zones) {
            try {
                tpus.create(zone, name, node);
                return new ProvisioningData(TYPE, offer.instance(), name, null, null, region, zone, offer.price(),
                        spot, DEFAULT_USER, 22, TPU_DATA);
            } catch (BackendException e) {
                deleteTpuQuietly(zone, name);
                if (e.failure() != BackendFailure.NO_CAPACITY) {
                    throw e;
                }
                last = e;
                tried.add(zone + ": " + e.cloudCode() + ": " + e.cloudMessage());
            }
        }
        throw new BackendException(BackendFailure.NO_CAPACITY, "gcp: no capacity for TPU " + offer.instance().name()
                + " in " + region + " (" + String.join("; ", tried) + ")",
                last == null ? null : last.cloudCode(), last == null ? String.join("; ", tried) : last.cloudMessage(),
                last);
    }

    private void deleteTpuQuietly(String zone, String name) {
        try {
            tpus.delete(zone, name);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(GcpBackend.class).warn("gcp: cannot delete TPU {} in {}: {}", name,
                    zone, e.getMessage());
        }
    }

    private static boolean isTpu(ProvisioningData data) {
        return TPU_DATA.equals(data.backendData());
    }

    /** The project's TPU nodes with the labels; none when the TPU API cannot be asked (e.g. not enabled). */
    private List<CloudResource> tpuNodes(Map<String, String> tags) {
        try {
            return tpus.find(GcpNames.labels(tags));
        } catch (BackendException e) {
            org.slf4j.LoggerFactory.getLogger(GcpBackend.class).debug("gcp: TPU nodes not listed: {}",
                    e.getMessage());
            return List.of();
        }
    }

    /** A TPU node's state as an instance status: READY runs, PREEMPTED is an interruption. */
    private InstanceStatus pollTpu(ProvisioningData data) {
        Optional<GcpTpus.Node> found = tpus.get(data.availabilityZone(), data.instanceId());
        if (found.isEmpty()) {
            return data.spot()
                    ? new InstanceStatus(InstanceStatus.State.INTERRUPTED, data, "the spot TPU was preempted "
                            + "(Google deleted it)")
                    : new InstanceStatus(InstanceStatus.State.TERMINATED, data, "the TPU no longer exists");
        }
        GcpTpus.Node node = found.get();
        switch (node.state()) {
            case "READY": {
                String host = settings.publicIps() && node.externalIp() != null ? node.externalIp()
                        : node.internalIp();
                return host == null ? new InstanceStatus(InstanceStatus.State.PENDING, data, null)
                        : new InstanceStatus(InstanceStatus.State.RUNNING, data.withAddresses(host,
                                node.internalIp()), null);
            }
            case "PREEMPTED":
                return new InstanceStatus(InstanceStatus.State.INTERRUPTED, data, "the TPU was preempted");
            case "TERMINATED", "STOPPED", "STOPPING", "DELETING", "HIDDEN", "UNHIDING":
                return new InstanceStatus(data.spot() ? InstanceStatus.State.INTERRUPTED
                        : InstanceStatus.State.TERMINATED, data, "the TPU is " + node.state());
            default:
                return new InstanceStatus(InstanceStatus.State.PENDING, data, null);
        }
    }

    private ProvisioningData create(InstanceOfferWithAvailability offer, InstanceConfiguration config,
            GcpSettings.OsImage image) {
        String region = offer.region();
        List<String> zones = offer.availabilityZones() == null || offer.availabilityZones().isEmpty()
                ? zonesOf(region) : offer.availabilityZones();
        String name = GcpNames.resourceName(config.instanceName());
        List<String> tried = new ArrayList<>();
        BackendException last = null;
        for (String zone : zones) {
            Instance instance = instance(offer, config, image, name, zone);
            try {
                operations.run("instances.insert " + offer.instance().name() + " in " + zone,
                        () -> clients.instances().insertCallable().call(
                                com.google.cloud.compute.v1.InsertInstanceRequest.newBuilder()
                                        .setProject(settings.projectId()).setZone(zone)
                                        .setInstanceResource(instance).build()));
                return new ProvisioningData(TYPE, offer.instance(), name, null, null, region, zone, offer.price(),
                        offer.instance().resources().spot(), image.user(), 22, null);
            } catch (BackendException e) {
                if (e.failure() != BackendFailure.NO_CAPACITY) {
                    deleteQuietly(zone, name);
                    throw e;
                }
                last = e;
                tried.add(zone + ": " + e.cloudCode() + ": " + e.cloudMessage());
                deleteQuietly(zone, name);
            }
        }
        throw new BackendException(BackendFailure.NO_CAPACITY, "gcp: no capacity for " + offer.instance().name()
                + " in " + region + " (" + String.join("; ", tried) + ")",
                last == null ? null : last.cloudCode(), last == null ? String.join("; ", tried) : last.cloudMessage(),
                last);
    }

    private Instance instance(InstanceOfferWithAvailability offer, InstanceConfiguration config,
            GcpSettings.OsImage image, String name, String zone) {
        boolean spot = offer.instance().resources().spot();
        boolean gpu = !offer.instance().resources().gpus().isEmpty();
        long diskGb = Math.max(10, (long) Math.ceil(offer.instance().resources().disk().sizeMib() / 1024.0));
        StringBuilder keys = new StringBuilder();
        config.sshPublicKeys().forEach(k -> keys.append(image.user()).append(':').append(k.strip()).append('\n'));
        Instance.Builder vm = Instance.newBuilder().setName(name)
                .setMachineType("zones/" + zone + "/machineTypes/" + offer.instance().name())
                .putAllLabels(GcpNames.labels(tags(config)))
                .setTags(com.google.cloud.compute.v1.Tags.newBuilder().addItems(firewallTarget()))
                .setMetadata(Metadata.newBuilder().addItems(Items.newBuilder().setKey("ssh-keys")
                        .setValue(keys.toString())))
                .addDisks(AttachedDisk.newBuilder().setBoot(true).setAutoDelete(true).setType("PERSISTENT")
                        .setInitializeParams(AttachedDiskInitializeParams.newBuilder().setSourceImage(image.name())
                                .setDiskSizeGb(diskGb).setDiskType("zones/" + zone + "/diskTypes/pd-balanced")))
                .addNetworkInterfaces(networkInterface(zone, settings.vpcName(), settings.publicIps()));
        for (String extra : settings.extraVpcs()) {
            vm.addNetworkInterfaces(networkInterface(zone, extra, false));
        }
        Scheduling.Builder scheduling = Scheduling.newBuilder();
        if (spot) {
            scheduling.setProvisioningModel("SPOT").setInstanceTerminationAction("DELETE").setAutomaticRestart(false)
                    .setOnHostMaintenance("TERMINATE");
        } else if (gpu) {
            scheduling.setOnHostMaintenance("TERMINATE");
        }
        vm.setScheduling(scheduling);
        String accelerator = accelerator(offer.offer());
        if (accelerator != null) {
            vm.addGuestAccelerators(AcceleratorConfig.newBuilder()
                    .setAcceleratorType("zones/" + zone + "/acceleratorTypes/" + accelerator)
                    .setAcceleratorCount(offer.instance().resources().gpus().size()));
        }
        if (settings.vmServiceAccount() != null) {
            vm.addServiceAccounts(ServiceAccount.newBuilder().setEmail(settings.vmServiceAccount())
                    .addScopes(GcpClients.SCOPE));
        }
        if (config.placementGroup() != null) {
            vm.addResourcePolicies("projects/" + settings.projectId() + "/regions/" + offer.region()
                    + "/resourcePolicies/" + config.placementGroup().name());
        }
        if (config.reservation() != null) {
            vm.setReservationAffinity(com.google.cloud.compute.v1.ReservationAffinity.newBuilder()
                    .setConsumeReservationType("SPECIFIC_RESERVATION")
                    .setKey("compute.googleapis.com/reservation-name").addValues(config.reservation()));
        }
        return vm.build();
    }

    private NetworkInterface networkInterface(String zone, String vpc, boolean publicIp) {
        String region = zone.substring(0, zone.lastIndexOf('-'));
        NetworkInterface.Builder nic = NetworkInterface.newBuilder()
                .setNetwork("projects/" + settings.networkProject() + "/global/networks/" + vpc);
        if (settings.vpcProjectId() != null || !vpc.equals(settings.vpcName())) {
            nic.setSubnetwork("projects/" + settings.networkProject() + "/regions/" + region + "/subnetworks/" + vpc);
        }
        if (publicIp) {
            nic.addAccessConfigs(AccessConfig.newBuilder().setName("External NAT").setType("ONE_TO_ONE_NAT"));
        }
        return nic.build();
    }

    /** dstack's labels, then the backend's configured ones, then the resource's. */
    private Map<String, String> tags(InstanceConfiguration config) {
        Map<String, String> tags = new LinkedHashMap<>(Tags.ofProject(config.project()));
        tags.put(Tags.NAME, config.instanceName());
        tags.put(Tags.USER, config.user());
        if (config.runName() != null) {
            tags.put(Tags.RUN, config.runName());
        }
        tags.putAll(settings.labels());
        tags.putAll(config.tags());
        return tags;
    }

    private String firewallTarget() {
        return GcpNames.projectName(settings.project(), "instance");
    }

    private String firewallName() {
        return GcpNames.projectName(settings.project(), "ssh");
    }

    /** The rule that opens SSH (TCP 22) to the project's instances: made once, removed with the last instance. */
    private void ensureFirewall() {
        try {
            clients.firewalls().get(settings.networkProject(), firewallName());
            return;
        } catch (RuntimeException e) {
            if (!GcpErrors.isNotFound(e)) {
                throw GcpErrors.map(e, "firewalls.get " + firewallName());
            }
        }
        Firewall rule = Firewall.newBuilder().setName(firewallName())
                .setDescription(GcpDescriptions.of(Tags.ofProject(settings.project())))
                .setNetwork("projects/" + settings.networkProject() + "/global/networks/" + settings.vpcName())
                .setDirection("INGRESS").addSourceRanges("0.0.0.0/0").addTargetTags(firewallTarget())
                .addAllowed(Allowed.newBuilder().setIPProtocol("tcp").addPorts("22")).build();
        try {
            operations.run("firewalls.insert " + firewallName(), () -> clients.firewalls().insertCallable().call(
                    com.google.cloud.compute.v1.InsertFirewallRequest.newBuilder()
                            .setProject(settings.networkProject()).setFirewallResource(rule).build()));
        } catch (BackendException e) {
            if (!"RESOURCE_ALREADY_EXISTS".equals(e.cloudCode()) && !"ALREADY_EXISTS".equals(e.cloudCode())) {
                throw e;
            }
        }
    }

    private List<String> zonesOf(String region) {
        try {
            List<String> zones = new ArrayList<>();
            for (Zone zone : clients.zones().list(settings.projectId()).iterateAll()) {
                if (GcpOperations.last(zone.getRegion()).equals(region) && "UP".equals(zone.getStatus())) {
                    zones.add(zone.getName());
                }
            }
            zones.sort(null);
            return zones;
        } catch (RuntimeException e) {
            throw GcpErrors.map(e, "zones.list");
        }
    }

    private void deleteQuietly(String zone, String name) {
        try {
            deleteInstance(zone, name);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(GcpBackend.class).warn("gcp: cannot delete {} in {}: {}", name, zone,
                    e.getMessage());
        }
    }

    @Override
    public InstanceStatus poll(ProvisioningData data) {
        if (isTpu(data)) {
            return pollTpu(data);
        }
        Optional<Instance> found = get(data.availabilityZone(), data.instanceId());
        if (found.isEmpty()) {
            return data.spot()
                    ? new InstanceStatus(InstanceStatus.State.INTERRUPTED, data, "the spot VM was preempted "
                            + "(GCE deleted it)")
                    : new InstanceStatus(InstanceStatus.State.TERMINATED, data, "the VM no longer exists");
        }
        Instance vm = found.get();
        switch (vm.getStatus()) {
            case "PROVISIONING", "STAGING", "REPAIRING":
                return new InstanceStatus(InstanceStatus.State.PENDING, data, null);
            case "RUNNING": {
                NetworkInterface nic = vm.getNetworkInterfacesCount() == 0 ? null : vm.getNetworkInterfaces(0);
                String internal = nic == null || nic.getNetworkIP().isEmpty() ? null : nic.getNetworkIP();
                String external = nic == null || nic.getAccessConfigsCount() == 0
                        || nic.getAccessConfigs(0).getNatIP().isEmpty() ? null : nic.getAccessConfigs(0).getNatIP();
                String host = settings.publicIps() && external != null ? external : internal;
                if (host == null) {
                    return new InstanceStatus(InstanceStatus.State.PENDING, data, null);
                }
                return new InstanceStatus(InstanceStatus.State.RUNNING, data.withAddresses(host, internal), null);
            }
            default: {
                String reason = "the VM is " + vm.getStatus()
                        + (vm.getStatusMessage().isEmpty() ? "" : ": " + vm.getStatusMessage());
                return new InstanceStatus(data.spot() ? InstanceStatus.State.INTERRUPTED
                        : InstanceStatus.State.TERMINATED, data, reason);
            }
        }
    }

    private Optional<Instance> get(String zone, String name) {
        try {
            return Optional.of(clients.instances().get(settings.projectId(), zone, name));
        } catch (RuntimeException e) {
            if (GcpErrors.isNotFound(e)) {
                return Optional.empty();
            }
            throw GcpErrors.map(e, "instances.get " + name);
        }
    }

    @Override
    public boolean terminate(ProvisioningData data) {
        boolean gone = isTpu(data) ? tpus.delete(data.availabilityZone(), data.instanceId())
                : deleteInstance(data.availabilityZone(), data.instanceId());
        if (!gone) {
            return false;
        }
        return releaseFirewallWhenUnused();
    }

    /** Deletes; true once GCE no longer has it. */
    private boolean deleteInstance(String zone, String name) {
        try {
            operations.run("instances.delete " + name, () -> clients.instances().deleteCallable().call(
                    com.google.cloud.compute.v1.DeleteInstanceRequest.newBuilder().setProject(settings.projectId())
                            .setZone(zone).setInstance(name).build()));
        } catch (BackendException e) {
            if (e.failure() != BackendFailure.NOT_FOUND) {
                throw e;
            }
        }
        return get(zone, name).isEmpty();
    }

    /** Removes the project's SSH rule once no instance of the project is left. */
    private boolean releaseFirewallWhenUnused() {
        if (!listInstances(Tags.ofProject(settings.project())).isEmpty()
                || !tpuNodes(Tags.ofProject(settings.project())).isEmpty()) {
            return true; // the rule stays for the project's other instances; the last one removes it
        }
        return deleteFirewall(firewallName());
    }

    private boolean deleteFirewall(String name) {
        try {
            operations.run("firewalls.delete " + name, () -> clients.firewalls().deleteCallable().call(
                    com.google.cloud.compute.v1.DeleteFirewallRequest.newBuilder()
                            .setProject(settings.networkProject()).setFirewall(name).build()));
        } catch (BackendException e) {
            if (e.failure() != BackendFailure.NOT_FOUND) {
                throw e;
            }
        }
        return true;
    }

    /** Instances (zone, VM) carrying all of the labels. */
    private List<CloudResource> listInstances(Map<String, String> tags) {
        Map<String, String> labels = GcpNames.labels(tags);
        List<CloudResource> found = new ArrayList<>();
        try {
            clients.instances().aggregatedList(AggregatedListInstancesRequest.newBuilder()
                    .setProject(settings.projectId()).setFilter(GcpDescriptions.labelFilter(labels)).build())
                    .iterateAll().forEach(e -> e.getValue().getInstancesList().stream()
                            .filter(i -> i.getLabelsMap().entrySet().containsAll(labels.entrySet()))
                            .forEach(i -> found.add(new CloudResource(CloudResource.INSTANCE, i.getName(),
                                    GcpOperations.last(i.getZone()), i.getLabelsMap()))));
        } catch (RuntimeException e) {
            throw GcpErrors.map(e, "instances.aggregatedList");
        }
        return found;
    }

    /**
     * Instances and disks by their labels; the firewall rule and placement policies (which have no labels) by the
     * tags written in their description. An instance's and a disk's {@link CloudResource#region()} is its zone.
     */
    @Override
    public List<CloudResource> findByTags(Map<String, String> tags) {
        List<CloudResource> found = new ArrayList<>(listInstances(tags));
        found.addAll(tpuNodes(tags));
        found.addAll(volumes.find(tags));
        try {
            for (Firewall rule : clients.firewalls().list(settings.networkProject()).iterateAll()) {
                Map<String, String> ruleTags = GcpDescriptions.tags(rule.getDescription());
                if (ruleTags != null && ruleTags.entrySet().containsAll(tags.entrySet())) {
                    found.add(new CloudResource("firewall", rule.getName(), "global", ruleTags));
                }
            }
        } catch (RuntimeException e) {
            throw GcpErrors.map(e, "firewalls.list");
        }
        found.addAll(placement.find(tags));
        return found;
    }

    @Override
    public boolean release(CloudResource resource) {
        return switch (resource.kind()) {
            case CloudResource.INSTANCE -> deleteInstance(resource.region(), resource.id())
                    && releaseFirewallWhenUnused();
            case GcpTpus.KIND -> tpus.delete(resource.region(), resource.id()) && releaseFirewallWhenUnused();
            case "firewall" -> deleteFirewall(resource.id());
            case GcpVolumes.KIND -> volumes.deleteByName(resource.region(), resource.id());
            case GcpPlacement.KIND -> placement.deleteByName(resource.region(), resource.id());
            default -> throw new IllegalArgumentException("gcp: unknown resource kind " + resource.kind());
        };
    }

    @Override
    public Optional<VolumeSupport> volumes() {
        return Optional.of(volumes);
    }

    /** A specific reservation by name ({@code reservationAffinity}), as dstack passes it. */
    @Override
    public boolean supportsReservations() {
        return true;
    }

    @Override
    public Optional<PlacementGroupSupport> placementGroups() {
        return Optional.of(placement);
    }

    /** Where the offers come from now: a path, a URL or the catalogue shipped in this jar. */
    public static String catalogSource() {
        return CATALOG.source();
    }

    @Override
    public void close() {
        clients.close();
    }

    static String joined(Map<String, String> m) {
        return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}
