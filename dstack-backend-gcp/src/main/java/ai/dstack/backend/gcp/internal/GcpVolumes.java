package ai.dstack.backend.gcp.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.Tags;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.backend.VolumeRequest;
import ai.dstack.spi.backend.VolumeSupport;
import com.google.cloud.compute.v1.AggregatedListDisksRequest;
import com.google.cloud.compute.v1.AttachDiskInstanceRequest;
import com.google.cloud.compute.v1.AttachedDisk;
import com.google.cloud.compute.v1.DeleteDiskRequest;
import com.google.cloud.compute.v1.DetachDiskInstanceRequest;
import com.google.cloud.compute.v1.Disk;
import com.google.cloud.compute.v1.InsertDiskRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Persistent disks (pd-balanced) as network volumes; attached under {@code /dev/disk/by-id/google-<name>}. */
final class GcpVolumes implements VolumeSupport {
    static final String KIND = "disk";
    /** pd-balanced's list price, USD per GB-month. */
    private static final double PRICE_PER_GB_MONTH = 0.10;

    private final GcpSettings settings;
    private final GcpClients clients;
    private final GcpOperations operations;

    GcpVolumes(GcpSettings settings, GcpClients clients, GcpOperations operations) {
        this.settings = settings;
        this.clients = clients;
        this.operations = operations;
    }

    @Override
    public VolumeData create(VolumeRequest request) {
        String zone = request.availabilityZone() != null ? request.availabilityZone() : request.region() + "-a";
        if (request.volumeId() != null) {
            try {
                Disk disk = clients.disks().get(settings.projectId(), zone, request.volumeId());
                return new VolumeData(GcpBackend.TYPE, disk.getName(), request.region(), zone,
                        (int) disk.getSizeGb(), true, disk.getSizeGb() * PRICE_PER_GB_MONTH);
            } catch (RuntimeException e) {
                throw GcpErrors.map(e, "disks.get " + request.volumeId() + " in " + zone);
            }
        }
        Map<String, String> tags = new LinkedHashMap<>(Tags.ofProject(request.project()));
        tags.put(Tags.NAME, request.name());
        if (request.user() != null) {
            tags.put(Tags.USER, request.user());
        }
        tags.putAll(settings.labels());
        tags.putAll(request.tags());
        String name = GcpNames.resourceName(request.name());
        Disk disk = Disk.newBuilder().setName(name).setSizeGb(request.sizeGb())
                .setType("zones/" + zone + "/diskTypes/pd-balanced").putAllLabels(GcpNames.labels(tags)).build();
        operations.run("disks.insert " + name + " in " + zone, () -> clients.disks().insertCallable().call(
                InsertDiskRequest.newBuilder().setProject(settings.projectId()).setZone(zone).setDiskResource(disk)
                        .build()));
        return new VolumeData(GcpBackend.TYPE, name, request.region(), zone, request.sizeGb(), false,
                request.sizeGb() * PRICE_PER_GB_MONTH);
    }

    @Override
    public String attach(VolumeData volume, ProvisioningData instance) {
        if (GcpBackend.TPU_DATA.equals(instance.backendData())) {
            throw new BackendException(BackendFailure.OTHER, "gcp: disk " + volume.volumeId() + " cannot be attached"
                    + " to " + instance.instanceId() + ": it is a TPU VM, and this server does not attach disks to "
                    + "TPU VMs yet");
        }
        if (!volume.availabilityZone().equals(instance.availabilityZone())) {
            throw new BackendException(BackendFailure.INVALID_CONFIGURATION, "gcp: disk " + volume.volumeId()
                    + " is in " + volume.availabilityZone() + " but the instance is in "
                    + instance.availabilityZone());
        }
        AttachedDisk disk = AttachedDisk.newBuilder().setSource("projects/" + settings.projectId() + "/zones/"
                + volume.availabilityZone() + "/disks/" + volume.volumeId()).setDeviceName(volume.volumeId())
                .setAutoDelete(false).setMode("READ_WRITE").build();
        operations.run("instances.attachDisk " + volume.volumeId() + " to " + instance.instanceId(),
                () -> clients.instances().attachDiskCallable().call(AttachDiskInstanceRequest.newBuilder()
                        .setProject(settings.projectId()).setZone(instance.availabilityZone())
                        .setInstance(instance.instanceId()).setAttachedDiskResource(disk).build()));
        return "/dev/disk/by-id/google-" + volume.volumeId();
    }

    @Override
    public boolean detach(VolumeData volume, ProvisioningData instance) {
        try {
            operations.run("instances.detachDisk " + volume.volumeId() + " from " + instance.instanceId(),
                    () -> clients.instances().detachDiskCallable().call(DetachDiskInstanceRequest.newBuilder()
                            .setProject(settings.projectId()).setZone(instance.availabilityZone())
                            .setInstance(instance.instanceId()).setDeviceName(volume.volumeId()).build()));
        } catch (BackendException e) {
            if (e.failure() != BackendFailure.NOT_FOUND && !"INVALID_USAGE".equals(e.cloudCode())) {
                throw e;
            }
        }
        return true;
    }

    @Override
    public void delete(VolumeData volume) {
        if (!volume.external()) {
            deleteByName(volume.availabilityZone(), volume.volumeId());
        }
    }

    boolean deleteByName(String zone, String name) {
        try {
            operations.run("disks.delete " + name, () -> clients.disks().deleteCallable().call(
                    DeleteDiskRequest.newBuilder().setProject(settings.projectId()).setZone(zone).setDisk(name)
                            .build()));
            return true;
        } catch (BackendException e) {
            if (e.failure() == BackendFailure.NOT_FOUND) {
                return true;
            }
            if ("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE".equals(e.cloudCode())) {
                return false;
            }
            throw e;
        }
    }

    /** Disks carrying all of the labels; a disk's region is its zone. */
    List<CloudResource> find(Map<String, String> tags) {
        Map<String, String> labels = GcpNames.labels(tags);
        List<CloudResource> found = new ArrayList<>();
        try {
            clients.disks().aggregatedList(AggregatedListDisksRequest.newBuilder().setProject(settings.projectId())
                    .setFilter(GcpDescriptions.labelFilter(labels)).build()).iterateAll()
                    .forEach(e -> e.getValue().getDisksList().stream()
                            .filter(d -> d.getLabelsMap().entrySet().containsAll(labels.entrySet()))
                            .filter(d -> d.getUsersCount() == 0) // a VM's boot disk goes with the VM
                            .forEach(d -> found.add(new CloudResource(KIND, d.getName(),
                                    GcpOperations.last(d.getZone()), d.getLabelsMap()))));
        } catch (RuntimeException e) {
            throw GcpErrors.map(e, "disks.aggregatedList");
        }
        return found;
    }
}
