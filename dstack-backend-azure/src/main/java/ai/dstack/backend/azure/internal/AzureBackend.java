package ai.dstack.backend.azure.internal;

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
import com.azure.core.util.Context;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.models.BillingProfile;
import com.azure.resourcemanager.compute.models.CachingTypes;
import com.azure.resourcemanager.compute.models.DeleteOptions;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.DiskDeleteOptionTypes;
import com.azure.resourcemanager.compute.models.HardwareProfile;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import com.azure.resourcemanager.compute.models.InstanceViewTypes;
import com.azure.resourcemanager.compute.models.LinuxConfiguration;
import com.azure.resourcemanager.compute.models.ManagedDiskParameters;
import com.azure.resourcemanager.compute.models.NetworkInterfaceReference;
import com.azure.resourcemanager.compute.models.NetworkProfile;
import com.azure.resourcemanager.compute.models.OSDisk;
import com.azure.resourcemanager.compute.models.OSProfile;
import com.azure.resourcemanager.compute.models.SshConfiguration;
import com.azure.resourcemanager.compute.models.SshPublicKey;
import com.azure.resourcemanager.compute.models.StorageAccountTypes;
import com.azure.resourcemanager.compute.models.StorageProfile;
import com.azure.resourcemanager.compute.models.VirtualMachineEvictionPolicyTypes;
import com.azure.resourcemanager.compute.models.VirtualMachinePriorityTypes;
import com.azure.resourcemanager.compute.models.VirtualMachineSizeTypes;
import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceInner;
import com.azure.resourcemanager.network.fluent.models.NetworkInterfaceIpConfigurationInner;
import com.azure.resourcemanager.network.fluent.models.NetworkSecurityGroupInner;
import com.azure.resourcemanager.network.fluent.models.PublicIpAddressInner;
import com.azure.resourcemanager.network.fluent.models.SecurityRuleInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.fluent.models.VirtualNetworkInner;
import com.azure.resourcemanager.network.models.AddressSpace;
import com.azure.resourcemanager.network.models.IpAllocationMethod;
import com.azure.resourcemanager.network.models.PublicIpAddressSku;
import com.azure.resourcemanager.network.models.PublicIpAddressSkuName;
import com.azure.resourcemanager.network.models.SecurityRuleAccess;
import com.azure.resourcemanager.network.models.SecurityRuleDirection;
import com.azure.resourcemanager.network.models.SecurityRuleProtocol;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceExpandedInner;
import com.azure.resourcemanager.resources.fluent.models.ResourceGroupInner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Azure backend: VMs for catalogue offers in the configured locations, each with its own network interface and
 * (with {@code public_ips}) public IP, in a per-location network and a network security group that opens SSH, all in
 * the project's resource group and carrying dstack's tags; the project's SSH keys for the {@code ubuntu} user; spot
 * VMs with {@code priority: Spot} and {@code evictionPolicy: Delete} (an evicted VM is gone:
 * {@code interrupted_by_no_capacity}).
 */
public final class AzureBackend implements Backend {
    static final String TYPE = "azure";
    static final String DEFAULT_USER = "ubuntu";
    static final String VM = "Microsoft.Compute/virtualMachines";
    private static final Logger LOG = LoggerFactory.getLogger(AzureBackend.class);
    private static final OfferCatalog CATALOG = new OfferCatalog("azure",
            "ai/dstack/backend/azure/internal/azure-catalog.csv", AzureBackend.class.getClassLoader());
    /** ARM resource types the backend creates, by the kind {@link CloudResource} names them with. */
    private static final Map<String, String> KINDS = Map.of(VM.toLowerCase(Locale.ROOT), CloudResource.INSTANCE,
            "microsoft.network/networkinterfaces", "network-interface",
            "microsoft.network/publicipaddresses", "public-ip",
            "microsoft.network/networksecuritygroups", "security-group",
            "microsoft.network/virtualnetworks", "network",
            AzurePlacement.TYPE.toLowerCase(Locale.ROOT), AzurePlacement.KIND,
            AzureVolumes.TYPE.toLowerCase(Locale.ROOT), AzureVolumes.KIND);

    private final AzureSettings settings;
    private final AzureClients clients;
    private final AzurePlacement placement;
    private final AzureVolumes volumes;
    private final AzureQuotas quotas;
    private final AzureImages images;

    public AzureBackend(AzureSettings settings) {
        this.settings = settings;
        this.clients = new AzureClients(settings);
        this.placement = new AzurePlacement(settings, clients, this::ensureGroup);
        this.volumes = new AzureVolumes(settings, clients, this::ensureGroup,
                location -> AzureSkus.read(clients).locationZones(location));
        this.quotas = new AzureQuotas(clients);
        this.images = new AzureImages(settings, clients);
    }

    @Override
    public String type() {
        return TYPE;
    }

    /**
     * Cheap read calls: the credential's tenants must hold {@code tenant_id}, the subscription must be there, and
     * a configured {@code resource_group} must exist.
     */
    @Override
    public void checkCredentials() {
        try {
            List<String> tenants = new ArrayList<>();
            clients.account().tenants().list().forEach(t -> tenants.add(t.tenantId()));
            if (!tenants.contains(settings.tenantId())) {
                throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: tenant_id "
                        + settings.tenantId() + " is not a tenant of these credentials (they see "
                        + String.join(", ", tenants) + ")");
            }
            clients.account().subscriptions().getById(settings.subscriptionId());
        } catch (RuntimeException e) {
            BackendException mapped = AzureErrors.map(e, "checking the credentials (subscription "
                    + settings.subscriptionId() + ")");
            if (mapped.failure() == BackendFailure.NOT_FOUND) {
                throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: subscription_id "
                        + settings.subscriptionId() + " not found", mapped.cloudCode(), mapped.cloudMessage(), e);
            }
            if (mapped.failure() == BackendFailure.PERMISSION_DENIED) {
                throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: "
                        + mapped.getMessage(), mapped.cloudCode(), mapped.cloudMessage(), e);
            }
            if (mapped.failure() == BackendFailure.INVALID_CREDENTIALS && !mapped.getMessage().startsWith("Invalid")) {
                throw new BackendException(BackendFailure.INVALID_CREDENTIALS, "Invalid credentials: "
                        + mapped.getMessage(), mapped.cloudCode(), mapped.cloudMessage(), e);
            }
            throw mapped;
        }
        if (settings.resourceGroup() != null && !groupExists()) {
            throw AzureSettings.invalid("resource_group", "'" + settings.resourceGroup() + "' does not exist in "
                    + "subscription " + settings.subscriptionId());
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
        AzureSkus skus = candidates.isEmpty() ? null : skus();
        Map<String, Set<String>> noQuota = new HashMap<>();
        List<InstanceOfferWithAvailability> offers = new ArrayList<>();
        for (InstanceOffer offer : candidates) {
            String size = offer.instance().name();
            InstanceAvailability availability = skus == null ? InstanceAvailability.UNKNOWN
                    : skus.available(size, offer.region()) ? InstanceAvailability.AVAILABLE
                    : InstanceAvailability.NOT_AVAILABLE;
            List<String> zones = null;
            if (availability == InstanceAvailability.AVAILABLE) {
                zones = skus.zones(size, offer.region());
                String family = skus.family(size);
                Set<String> zeroQuota = noQuota.computeIfAbsent(offer.region(), quotas::familiesWithoutQuota);
                if (family != null && zeroQuota.contains(family)) {
                    availability = InstanceAvailability.NO_QUOTA;
                }
            }
            offers.add(offer.withAvailability(availability, zones == null || zones.isEmpty() ? null : zones));
        }
        offers.sort(Comparator.comparingDouble(InstanceOfferWithAvailability::price)
                .thenComparing(o -> !o.availability().isAvailable())
                .thenComparing(o -> o.instance().name()).thenComparing(InstanceOfferWithAvailability::region));
        return offers;
    }

    /** The resource SKUs now; null (availability unknown) when ARM would not say. */
    private AzureSkus skus() {
        try {
            return AzureSkus.read(clients);
        } catch (RuntimeException e) {
            LOG.warn("{}", AzureErrors.map(e, "listing resource SKUs").getMessage());
            return null;
        }
    }

    /**
     * Creates the VM in the offer's location: in its first zone (the next on no capacity, but only the first for a
     * placement group, whose VMs share one datacenter), or without a zone where the location has none.
     */
    @Override
    public ProvisioningData createInstance(InstanceOfferWithAvailability offer, InstanceConfiguration config) {
        String location = offer.region();
        ensureGroup();
        AzureImages.Resolved image = images.resolve(offer.instance(), location);
        List<String> zones = new ArrayList<>();
        if (offer.availabilityZones() == null || offer.availabilityZones().isEmpty()) {
            zones.add(null);
        } else {
            zones.addAll(config.placementGroup() != null ? offer.availabilityZones().subList(0, 1)
                    : offer.availabilityZones());
        }
        BackendException noCapacity = null;
        for (String zone : zones) {
            try {
                return createIn(offer, config, image, zone);
            } catch (BackendException e) {
                if (e.failure() != BackendFailure.NO_CAPACITY) {
                    throw e;
                }
                if (noCapacity != null) {
                    e.addSuppressed(noCapacity);
                }
                noCapacity = e;
            }
        }
        throw noCapacity;
    }

    private ProvisioningData createIn(InstanceOfferWithAvailability offer, InstanceConfiguration config,
            AzureImages.Resolved image, String zone) {
        String location = offer.region();
        String where = zone == null ? location : location + " zone " + zone;
        String name = AzureNames.vmName(config.instanceName());
        Map<String, String> tags = tags(config);
        try {
            String subnet = subnetId(location);
            String nsg = ensureSecurityGroup(location);
            String publicIp = null;
            if (settings.publicIps()) {
                publicIp = call("creating public IP " + AzureNames.publicIp(name), () -> clients.network().serviceClient()
                        .getPublicIpAddresses().createOrUpdate(group(), AzureNames.publicIp(name),
                                new PublicIpAddressInner().withSku(new PublicIpAddressSku()
                                        .withName(PublicIpAddressSkuName.STANDARD))
                                        .withPublicIpAllocationMethod(IpAllocationMethod.STATIC)
                                        .withLocation(location).withTags(tags)).id());
            }
            NetworkInterfaceIpConfigurationInner ip = new NetworkInterfaceIpConfigurationInner().withName("ipconfig1")
                    .withPrimary(true).withPrivateIpAllocationMethod(IpAllocationMethod.DYNAMIC)
                    .withSubnet(new SubnetInner().withId(subnet));
            if (publicIp != null) {
                ip.withPublicIpAddress(new PublicIpAddressInner().withId(publicIp));
            }
            String nic = call("creating network interface " + AzureNames.nic(name), () -> clients.network()
                    .serviceClient().getNetworkInterfaces().createOrUpdate(group(), AzureNames.nic(name),
                            new NetworkInterfaceInner().withIpConfigurations(List.of(ip))
                                    .withNetworkSecurityGroup(new NetworkSecurityGroupInner().withId(nsg))
                                    .withLocation(location).withTags(tags)).id());
            VirtualMachineInner vm = vm(offer, config, image, location, tags, nic);
            if (zone != null) {
                vm.withZones(List.of(zone));
            }
            call("creating VM " + name + " (" + offer.instance().name() + " in " + where + ")",
                    () -> clients.compute().serviceClient().getVirtualMachines().createOrUpdate(group(), name, vm));
        } catch (RuntimeException e) {
            BackendException mapped = AzureErrors.map(e, "creating " + offer.instance().name() + " in " + where);
            try {
                deleteVmAndParts(name);
                releaseNetworkWhenUnused(location);
            } catch (RuntimeException cleanUp) {
                mapped.addSuppressed(cleanUp);
            }
            throw mapped;
        }
        return new ProvisioningData(TYPE, offer.instance(), name, null, null, location, zone, offer.price(),
                offer.instance().resources().spot(), image.user(), 22, null);
    }

    private VirtualMachineInner vm(InstanceOfferWithAvailability offer, InstanceConfiguration config,
            AzureImages.Resolved image, String location, Map<String, String> tags, String nic) {
        int diskGb = Math.max(30, (int) Math.ceil(offer.instance().resources().disk().sizeMib() / 1024.0));
        List<SshPublicKey> keys = config.sshPublicKeys().stream().map(k -> new SshPublicKey()
                .withPath("/home/" + image.user() + "/.ssh/authorized_keys").withKeyData(k.strip())).toList();
        VirtualMachineInner vm = new VirtualMachineInner()
                .withHardwareProfile(new HardwareProfile().withVmSize(VirtualMachineSizeTypes.fromString(
                        offer.instance().name())))
                .withStorageProfile(new StorageProfile().withImageReference(image.reference())
                        .withOsDisk(new OSDisk().withCreateOption(DiskCreateOptionTypes.FROM_IMAGE)
                                .withCaching(CachingTypes.READ_WRITE).withDiskSizeGB(diskGb)
                                .withDeleteOption(DiskDeleteOptionTypes.DELETE)
                                .withManagedDisk(new ManagedDiskParameters()
                                        .withStorageAccountType(StorageAccountTypes.STANDARD_SSD_LRS))))
                .withOsProfile(new OSProfile().withComputerName("runnervm").withAdminUsername(image.user())
                        .withLinuxConfiguration(new LinuxConfiguration().withDisablePasswordAuthentication(true)
                                .withSsh(new SshConfiguration().withPublicKeys(keys))))
                .withNetworkProfile(new NetworkProfile().withNetworkInterfaces(List.of(new NetworkInterfaceReference()
                        .withId(nic).withPrimary(true).withDeleteOption(DeleteOptions.DELETE))));
        if (config.placementGroup() != null) {
            vm.withProximityPlacementGroup(new com.azure.core.management.SubResource()
                    .withId(placement.id(config.placementGroup())));
        }
        if (offer.instance().resources().spot()) {
            vm.withPriority(VirtualMachinePriorityTypes.SPOT)
                    .withEvictionPolicy(VirtualMachineEvictionPolicyTypes.DELETE)
                    .withBillingProfile(new BillingProfile().withMaxPrice(-1.0));
        }
        vm.withLocation(location).withTags(tags);
        return vm;
    }

    /** dstack's tags, then the backend's configured ones, then the resource's. */
    private Map<String, String> tags(InstanceConfiguration config) {
        Map<String, String> tags = new LinkedHashMap<>(Tags.ofProject(config.project()));
        tags.put(Tags.NAME, config.instanceName());
        tags.put(Tags.USER, config.user());
        if (config.runName() != null) {
            tags.put(Tags.RUN, config.runName());
        }
        tags.putAll(settings.tags());
        tags.putAll(config.tags());
        return tags;
    }

    private String group() {
        return settings.group();
    }

    private boolean groupExists() {
        return call("checking resource group " + group(),
                () -> clients.resources().serviceClient().getResourceGroups().checkExistence(group()));
    }

    /** dstack's resource group {@code dstack-<project>}, made on first use (a configured one must exist). */
    private void ensureGroup() {
        if (settings.resourceGroup() != null || groupExists()) {
            return;
        }
        String location = settings.regions().contains("eastus") ? "eastus" : settings.regions().get(0);
        call("creating resource group " + group(), () -> clients.resources().serviceClient().getResourceGroups()
                .createOrUpdate(group(), new ResourceGroupInner().withLocation(location)
                        .withTags(Tags.ofProject(settings.project()))));
    }

    private String subscriptionScope() {
        return "/subscriptions/" + settings.subscriptionId() + "/resourceGroups/";
    }

    /** The subnet VMs in the location join: from {@code subnet_ids}, {@code vpc_ids}, or the project's own network. */
    private String subnetId(String location) {
        String subnet = settings.subnetIds().get(location);
        if (subnet != null) {
            String[] p = subnet.split("/");
            return subscriptionScope() + p[0] + "/providers/Microsoft.Network/virtualNetworks/" + p[1]
                    + "/subnets/" + p[2];
        }
        String vpc = settings.vpcIds().get(location);
        if (vpc != null) {
            String[] p = vpc.split("/");
            VirtualNetworkInner network;
            try {
                network = clients.network().serviceClient().getVirtualNetworks().getByResourceGroup(p[0], p[1]);
            } catch (RuntimeException e) {
                BackendException mapped = AzureErrors.map(e, "reading network " + vpc);
                if (mapped.failure() == BackendFailure.NOT_FOUND) {
                    throw AzureSettings.invalid("vpc_ids." + location, "names network " + vpc + ", which does not "
                            + "exist: " + mapped.cloudMessage());
                }
                throw mapped;
            }
            if (network.subnets() == null || network.subnets().isEmpty()) {
                throw AzureSettings.invalid("vpc_ids." + location, "names network " + vpc + ", which has no subnet");
            }
            return network.subnets().get(0).id();
        }
        String name = AzureNames.projectName(settings.project(), location + "-network");
        VirtualNetworkInner network = call("creating network " + name, () -> clients.network().serviceClient()
                .getVirtualNetworks().createOrUpdate(group(), name, new VirtualNetworkInner()
                        .withAddressSpace(new AddressSpace().withAddressPrefixes(List.of("10.0.0.0/16")))
                        .withSubnets(List.of(new SubnetInner().withName("default").withAddressPrefix("10.0.0.0/20")))
                        .withLocation(location).withTags(Tags.ofProject(settings.project()))));
        return network.subnets().get(0).id();
    }

    /** The location's security group: SSH (TCP 22) in from anywhere, and the network's default rules. */
    private String ensureSecurityGroup(String location) {
        String name = AzureNames.projectName(settings.project(), location + "-ssh");
        return call("creating network security group " + name, () -> clients.network().serviceClient()
                .getNetworkSecurityGroups().createOrUpdate(group(), name, new NetworkSecurityGroupInner()
                        .withSecurityRules(List.of(new SecurityRuleInner().withName("dstack-ssh")
                                .withProtocol(SecurityRuleProtocol.TCP).withSourceAddressPrefix("Internet")
                                .withSourcePortRange("*").withDestinationAddressPrefix("*")
                                .withDestinationPortRange("22").withAccess(SecurityRuleAccess.ALLOW)
                                .withPriority(100).withDirection(SecurityRuleDirection.INBOUND)))
                        .withLocation(location).withTags(Tags.ofProject(settings.project()))).id());
    }

    @Override
    public InstanceStatus poll(ProvisioningData data) {
        VirtualMachineInner vm;
        try {
            vm = clients.compute().serviceClient().getVirtualMachines().getByResourceGroupWithResponse(group(),
                    data.instanceId(), InstanceViewTypes.INSTANCE_VIEW, Context.NONE).getValue();
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) {
                // Azure deleted it (an evicted spot VM): its interface and IP stay unless removed here
                deleteVmAndParts(data.instanceId());
                releaseNetworkWhenUnused(data.region());
                return data.spot()
                        ? new InstanceStatus(InstanceStatus.State.INTERRUPTED, data, "the spot VM was evicted "
                                + "(Azure deleted it)")
                        : new InstanceStatus(InstanceStatus.State.TERMINATED, data, "the VM no longer exists");
            }
            throw AzureErrors.map(e, "reading VM " + data.instanceId());
        }
        if ("Failed".equalsIgnoreCase(vm.provisioningState())) {
            return new InstanceStatus(InstanceStatus.State.TERMINATED, data, "the VM failed to provision");
        }
        String power = "";
        if (vm.instanceView() != null && vm.instanceView().statuses() != null) {
            for (InstanceViewStatus status : vm.instanceView().statuses()) {
                if (status.code() != null && status.code().startsWith("PowerState/")) {
                    power = status.code().substring("PowerState/".length());
                }
            }
        }
        switch (power) {
            case "running" -> {
                String internal = privateIp(data.instanceId());
                String external = settings.publicIps() ? publicIp(data.instanceId()) : null;
                String host = external != null ? external : internal;
                if (host == null) {
                    return new InstanceStatus(InstanceStatus.State.PENDING, data, null);
                }
                return new InstanceStatus(InstanceStatus.State.RUNNING, data.withAddresses(host, internal), null);
            }
            case "stopped", "stopping", "deallocated", "deallocating" -> {
                return new InstanceStatus(data.spot() ? InstanceStatus.State.INTERRUPTED
                        : InstanceStatus.State.TERMINATED, data, "the VM is " + power);
            }
            default -> {
                return new InstanceStatus(InstanceStatus.State.PENDING, data, null);
            }
        }
    }

    private String privateIp(String vm) {
        NetworkInterfaceInner nic = call("reading network interface " + AzureNames.nic(vm), () -> clients.network()
                .serviceClient().getNetworkInterfaces().getByResourceGroup(group(), AzureNames.nic(vm)));
        return nic.ipConfigurations() == null || nic.ipConfigurations().isEmpty() ? null
                : nic.ipConfigurations().get(0).privateIpAddress();
    }

    private String publicIp(String vm) {
        return call("reading public IP " + AzureNames.publicIp(vm), () -> clients.network().serviceClient()
                .getPublicIpAddresses().getByResourceGroup(group(), AzureNames.publicIp(vm)).ipAddress());
    }

    @Override
    public boolean terminate(ProvisioningData data) {
        if (!deleteVmAndParts(data.instanceId())) {
            return false;
        }
        return releaseNetworkWhenUnused(data.region());
    }

    /** Deletes the VM (its OS disk goes with it), then its network interface and public IP; true once all are gone. */
    private boolean deleteVmAndParts(String name) {
        deleteIgnoringNotFound("VM " + name, () -> clients.compute().serviceClient().getVirtualMachines()
                .delete(group(), name));
        deleteIgnoringNotFound("network interface " + AzureNames.nic(name), () -> clients.network().serviceClient()
                .getNetworkInterfaces().delete(group(), AzureNames.nic(name)));
        deleteIgnoringNotFound("public IP " + AzureNames.publicIp(name), () -> clients.network().serviceClient()
                .getPublicIpAddresses().delete(group(), AzureNames.publicIp(name)));
        return true;
    }

    /** Removes the location's security group and network once no VM of the project is left there. */
    private boolean releaseNetworkWhenUnused(String location) {
        boolean used = list(Tags.ofProject(settings.project())).stream()
                .anyMatch(r -> r.region().equals(location) && (r.kind().equals(CloudResource.INSTANCE)
                        || r.kind().equals("network-interface")));
        if (used) {
            return true; // the last VM of the project in the location removes them
        }
        String nsg = AzureNames.projectName(settings.project(), location + "-ssh");
        deleteIgnoringNotFound("network security group " + nsg, () -> clients.network().serviceClient()
                .getNetworkSecurityGroups().delete(group(), nsg));
        if (!settings.vpcIds().containsKey(location) && !settings.subnetIds().containsKey(location)) {
            String network = AzureNames.projectName(settings.project(), location + "-network");
            deleteIgnoringNotFound("network " + network, () -> clients.network().serviceClient()
                    .getVirtualNetworks().delete(group(), network));
        }
        return true;
    }

    private void deleteIgnoringNotFound(String what, Runnable delete) {
        try {
            delete.run();
        } catch (RuntimeException e) {
            if (!AzureErrors.isNotFound(e)) {
                throw AzureErrors.map(e, "deleting " + what);
            }
        }
    }

    /** The resources of the group carrying all of the tags; none when the group does not exist (yet). */
    private List<CloudResource> list(Map<String, String> tags) {
        List<CloudResource> found = new ArrayList<>();
        try {
            for (GenericResourceExpandedInner r : clients.resources().serviceClient().getResources()
                    .listByResourceGroup(group())) {
                String kind = KINDS.get(r.type().toLowerCase(Locale.ROOT));
                Map<String, String> resourceTags = r.tags() == null ? Map.of() : r.tags();
                if (kind != null && resourceTags.entrySet().containsAll(tags.entrySet())) {
                    found.add(new CloudResource(kind, r.name(), r.location(), resourceTags));
                }
            }
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) {
                return List.of();
            }
            throw AzureErrors.map(e, "listing the resources of resource group " + group());
        }
        return found;
    }

    /**
     * VMs, network interfaces, public IPs, security groups, networks, managed disks and proximity placement groups of the resource group that carry the tags;
     * their {@link CloudResource#region()} is their location.
     */
    @Override
    public List<CloudResource> findByTags(Map<String, String> tags) {
        return list(tags);
    }

    @Override
    public boolean release(CloudResource resource) {
        try {
            switch (resource.kind()) {
                case CloudResource.INSTANCE -> {
                    deleteVmAndParts(resource.id());
                    return releaseNetworkWhenUnused(resource.region());
                }
                case "network-interface" -> deleteIgnoringNotFound("network interface " + resource.id(),
                        () -> clients.network().serviceClient().getNetworkInterfaces().delete(group(), resource.id()));
                case "public-ip" -> deleteIgnoringNotFound("public IP " + resource.id(),
                        () -> clients.network().serviceClient().getPublicIpAddresses().delete(group(), resource.id()));
                case "security-group" -> deleteIgnoringNotFound("network security group " + resource.id(),
                        () -> clients.network().serviceClient().getNetworkSecurityGroups().delete(group(),
                                resource.id()));
                case "network" -> deleteIgnoringNotFound("network " + resource.id(),
                        () -> clients.network().serviceClient().getVirtualNetworks().delete(group(), resource.id()));
                case AzureVolumes.KIND -> volumes.deleteByName(resource.id());
                case AzurePlacement.KIND -> {
                    return placement.deleteByName(resource.id());
                }
                default -> throw new IllegalArgumentException("azure: unknown resource kind " + resource.kind());
            }
            return true;
        } catch (BackendException e) {
            if (e.cloudCode() != null && (e.cloudCode().contains("InUse")
                    || e.cloudCode().equals("PublicIPAddressCannotBeDeleted"))) {
                return false; // still used by a VM or interface being deleted: later
            }
            throw e;
        }
    }

    @Override
    public Optional<VolumeSupport> volumes() {
        return Optional.of(volumes);
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
        // the SDK's JDK HTTP client holds no resources that need closing
    }

    private static <T> T call(String doing, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw AzureErrors.map(e, doing);
        }
    }
}
