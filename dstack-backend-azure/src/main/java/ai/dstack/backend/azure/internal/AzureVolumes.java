package ai.dstack.backend.azure.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.Tags;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.backend.VolumeRequest;
import ai.dstack.spi.backend.VolumeSupport;
import com.azure.resourcemanager.compute.fluent.models.DiskInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineUpdateInner;
import com.azure.resourcemanager.compute.models.CreationData;
import com.azure.resourcemanager.compute.models.DataDisk;
import com.azure.resourcemanager.compute.models.DiskCreateOption;
import com.azure.resourcemanager.compute.models.DiskCreateOptionTypes;
import com.azure.resourcemanager.compute.models.DiskSku;
import com.azure.resourcemanager.compute.models.DiskStorageAccountTypes;
import com.azure.resourcemanager.compute.models.ManagedDiskParameters;
import com.azure.resourcemanager.compute.models.StorageProfile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Managed disks as network volumes: a StandardSSD disk in the project's resource group, attached to a VM as a data
 * disk at the first free LUN (it appears as {@code /dev/disk/azure/scsi1/lun<N>}).
 */
final class AzureVolumes implements VolumeSupport {
    static final String KIND = "volume";
    static final String TYPE = "Microsoft.Compute/disks";

    private final AzureSettings settings;
    private final AzureClients clients;
    private final Runnable ensureGroup;
    private final Function<String, List<String>> locationZones;

    /** @param locationZones a location's availability zones (empty where it has none) */
    AzureVolumes(AzureSettings settings, AzureClients clients, Runnable ensureGroup,
            Function<String, List<String>> locationZones) {
        this.settings = settings;
        this.clients = clients;
        this.ensureGroup = ensureGroup;
        this.locationZones = locationZones;
    }

    /**
     * A new disk, or an existing one by name in the resource group or by its full id ({@code volume_id}). A new disk
     * is zonal where the location has zones (in the requested zone, else the first), as VMs there are made in a zone
     * and attach only disks of their own zone.
     */
    @Override
    public VolumeData create(VolumeRequest request) {
        if (request.volumeId() != null) {
            String[] target = target(request.volumeId());
            DiskInner disk;
            try {
                disk = clients.compute().serviceClient().getDisks().getByResourceGroup(target[0], target[1]);
            } catch (RuntimeException e) {
                throw AzureErrors.map(e, "reading disk " + request.volumeId());
            }
            String zone = disk.zones() == null || disk.zones().isEmpty() ? null : disk.zones().get(0);
            return new VolumeData(AzureBackend.TYPE, request.volumeId(), disk.location(), zone,
                    disk.diskSizeGB() == null ? 0 : disk.diskSizeGB(), true, 0);
        }
        ensureGroup.run();
        Map<String, String> tags = Tags.ofProject(request.project());
        tags.put(Tags.NAME, request.name());
        if (request.user() != null) {
            tags.put(Tags.USER, request.user());
        }
        tags.putAll(settings.tags());
        tags.putAll(request.tags());
        String name = AzureNames.vmName(request.name());
        String zone = zone(request);
        DiskInner disk = new DiskInner()
                .withSku(new DiskSku().withName(DiskStorageAccountTypes.STANDARD_SSD_LRS))
                .withCreationData(new CreationData().withCreateOption(DiskCreateOption.EMPTY))
                .withDiskSizeGB(request.sizeGb()).withLocation(request.region()).withTags(tags);
        if (zone != null) {
            disk.withZones(List.of(zone));
        }
        try {
            clients.compute().serviceClient().getDisks().createOrUpdate(settings.group(), name, disk);
        } catch (RuntimeException e) {
            throw AzureErrors.map(e, "creating disk " + name);
        }
        return new VolumeData(AzureBackend.TYPE, name, request.region(), zone, request.sizeGb(), false, 0);
    }

    /** The requested zone, which must be one of the location's; else its first; null where it has none. */
    private String zone(VolumeRequest request) {
        List<String> zones;
        try {
            zones = locationZones.apply(request.region());
        } catch (RuntimeException e) {
            throw AzureErrors.map(e, "listing the zones of " + request.region());
        }
        if (request.availabilityZone() == null) {
            return zones.isEmpty() ? null : zones.get(0);
        }
        if (!zones.contains(request.availabilityZone())) {
            throw new BackendException(BackendFailure.INVALID_CONFIGURATION, "availability_zone: '"
                    + request.availabilityZone() + "' is not an availability zone of " + request.region() + " ("
                    + (zones.isEmpty() ? "it has none" : "its zones: " + String.join(", ", zones)) + ")");
        }
        return request.availabilityZone();
    }

    @Override
    public String attach(VolumeData volume, ProvisioningData instance) {
        VirtualMachineInner vm = vm(instance);
        List<DataDisk> disks = new ArrayList<>(dataDisks(vm));
        Set<Integer> used = new HashSet<>();
        disks.forEach(d -> used.add(d.lun()));
        int lun = 0;
        while (used.contains(lun)) {
            lun++;
        }
        disks.add(new DataDisk().withLun(lun).withCreateOption(DiskCreateOptionTypes.ATTACH)
                .withManagedDisk(new ManagedDiskParameters().withId(diskId(volume.volumeId()))));
        update(instance, disks, "attaching disk " + volume.volumeId());
        return "/dev/disk/azure/scsi1/lun" + lun;
    }

    @Override
    public boolean detach(VolumeData volume, ProvisioningData instance) {
        VirtualMachineInner vm = vm(instance);
        String id = diskId(volume.volumeId()).toLowerCase(Locale.ROOT);
        List<DataDisk> disks = new ArrayList<>(dataDisks(vm));
        boolean removed = disks.removeIf(d -> d.managedDisk() != null && d.managedDisk().id() != null
                && d.managedDisk().id().toLowerCase(Locale.ROOT).equals(id));
        if (removed) {
            update(instance, disks, "detaching disk " + volume.volumeId());
        }
        return true;
    }

    @Override
    public void delete(VolumeData volume) {
        if (volume.external()) {
            return;
        }
        deleteByName(volume.volumeId());
    }

    void deleteByName(String name) {
        try {
            clients.compute().serviceClient().getDisks().delete(settings.group(), name);
        } catch (RuntimeException e) {
            if (!AzureErrors.isNotFound(e)) {
                throw AzureErrors.map(e, "deleting disk " + name);
            }
        }
    }

    private VirtualMachineInner vm(ProvisioningData instance) {
        try {
            return clients.compute().serviceClient().getVirtualMachines().getByResourceGroup(settings.group(),
                    instance.instanceId());
        } catch (RuntimeException e) {
            throw AzureErrors.map(e, "reading VM " + instance.instanceId());
        }
    }

    private static List<DataDisk> dataDisks(VirtualMachineInner vm) {
        return vm.storageProfile() == null || vm.storageProfile().dataDisks() == null ? List.of()
                : vm.storageProfile().dataDisks();
    }

    private void update(ProvisioningData instance, List<DataDisk> disks, String doing) {
        try {
            clients.compute().serviceClient().getVirtualMachines().update(settings.group(), instance.instanceId(),
                    new VirtualMachineUpdateInner().withStorageProfile(new StorageProfile().withDataDisks(disks)));
        } catch (RuntimeException e) {
            BackendException mapped = AzureErrors.map(e, doing + " on VM " + instance.instanceId());
            throw mapped;
        }
    }

    /** A disk's id from its name in the resource group or its full id. */
    private String diskId(String volumeId) {
        String[] target = target(volumeId);
        return "/subscriptions/" + settings.subscriptionId() + "/resourceGroups/" + target[0] + "/providers/" + TYPE
                + "/" + target[1];
    }

    /** Resource group and name of a disk given by name or by full id. */
    private String[] target(String volumeId) {
        if (volumeId.startsWith("/")) {
            String[] p = volumeId.split("/");
            return new String[] {p[4], p[p.length - 1]};
        }
        return new String[] {settings.group(), volumeId};
    }
}
