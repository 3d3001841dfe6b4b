package ai.dstack.backend.aws.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.ProvisioningData;
import ai.dstack.spi.backend.Tags;
import ai.dstack.spi.backend.VolumeData;
import ai.dstack.spi.backend.VolumeRequest;
import ai.dstack.spi.backend.VolumeSupport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeType;

/** EBS volumes (gp3): created in a zone of the region, attached as {@code /dev/sdf} onwards. */
final class AwsVolumes implements VolumeSupport {
    static final String KIND = "volume";
    /** gp3's price per GB-month in us-east-1. */
    private static final double GP3_PRICE_PER_GB_MONTH = 0.08;
    private static final long WAIT_MILLIS = 120_000;

    private final AwsSettings settings;
    private final AwsClients clients;

    AwsVolumes(AwsSettings settings, AwsClients clients) {
        this.settings = settings;
        this.clients = clients;
    }

    @Override
    public VolumeData create(VolumeRequest request) {
        Ec2Client ec2 = clients.ec2(request.region());
        if (request.volumeId() != null) {
            Volume volume = describe(ec2, request.volumeId());
            if (volume == null) {
                throw new BackendException(BackendFailure.NOT_FOUND, "aws: volume " + request.volumeId()
                        + " was not found in " + request.region());
            }
            return data(request.region(), volume, true);
        }
        String zone = request.availabilityZone() != null ? request.availabilityZone()
                : AwsNetwork.call("DescribeAvailabilityZones in " + request.region(), () -> ec2
                        .describeAvailabilityZones(r -> r.filters(AwsNetwork.filter("state", "available"))))
                        .availabilityZones().stream().map(z -> z.zoneName()).sorted().findFirst()
                        .orElseThrow(() -> new BackendException(BackendFailure.NO_CAPACITY,
                                "aws: no available zone in " + request.region()));
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("Name", request.name());
        tags.putAll(Tags.ofProject(request.project()));
        tags.put(Tags.NAME, request.name());
        if (request.user() != null) {
            tags.put(Tags.USER, request.user());
        }
        tags.putAll(settings.tags());
        tags.putAll(request.tags());
        String id = AwsNetwork.call("CreateVolume " + request.name() + " in " + zone, () -> ec2.createVolume(r -> r
                .availabilityZone(zone).size(request.sizeGb()).volumeType(VolumeType.GP3)
                .tagSpecifications(t -> t.resourceType(ResourceType.VOLUME).tags(AwsTags.of(tags))))).volumeId();
        Volume volume = waitFor(ec2, id, Set.of("available"));
        return data(request.region(), volume, false);
    }

    /** The volume of the project with the request's name, not being deleted; waits while it is still creating. */
    @Override
    public java.util.Optional<VolumeData> findCreated(VolumeRequest request) {
        Ec2Client ec2 = clients.ec2(request.region());
        List<Volume> found = AwsNetwork.call("DescribeVolumes in " + request.region(), () -> ec2.describeVolumes(
                r -> r.filters(AwsNetwork.filter("tag:" + Tags.PROJECT, request.project()),
                        AwsNetwork.filter("tag:" + Tags.NAME, request.name()),
                        AwsNetwork.filter("status", "creating", "available", "in-use"))).volumes());
        if (found.isEmpty()) {
            return java.util.Optional.empty();
        }
        if (found.size() > 1) {
            throw new BackendException(BackendFailure.OTHER, "aws: " + found.size() + " volumes in " + request.region()
                    + " are tagged as volume " + request.name() + " of project " + request.project() + " ("
                    + found.stream().map(Volume::volumeId).collect(Collectors.joining(", ")) + ")");
        }
        return java.util.Optional.of(data(request.region(), waitFor(ec2, found.get(0).volumeId(),
                Set.of("available", "in-use")), false));
    }

    private static VolumeData data(String region, Volume volume, boolean external) {
        return new VolumeData(AwsBackend.TYPE, volume.volumeId(), region, volume.availabilityZone(), volume.size(),
                external, volume.size() * GP3_PRICE_PER_GB_MONTH);
    }

    @Override
    public String attach(VolumeData volume, ProvisioningData instance) {
        if (volume.availabilityZone() != null && instance.availabilityZone() != null
                && !volume.availabilityZone().equals(instance.availabilityZone())) {
            throw new BackendException(BackendFailure.INVALID_CONFIGURATION, "aws: volume " + volume.volumeId()
                    + " is in " + volume.availabilityZone() + " but instance " + instance.instanceId() + " is in "
                    + instance.availabilityZone());
        }
        Ec2Client ec2 = clients.ec2(volume.region());
        Volume current = describe(ec2, volume.volumeId());
        if (current != null) {
            for (var attachment : current.attachments()) {
                if (instance.instanceId().equals(attachment.instanceId())) {
                    return attachment.device(); // already attached: attaching again is a no-op
                }
            }
        }
        Set<String> used = AwsNetwork.call("DescribeInstances " + instance.instanceId(), () -> ec2.describeInstances(
                r -> r.instanceIds(instance.instanceId()))).reservations().stream()
                .flatMap(r -> r.instances().stream()).flatMap(i -> i.blockDeviceMappings().stream())
                .map(m -> m.deviceName()).collect(Collectors.toSet());
        String device = null;
        for (char c = 'f'; c <= 'p' && device == null; c++) {
            if (!used.contains("/dev/sd" + c)) {
                device = "/dev/sd" + c;
            }
        }
        if (device == null) {
            throw new BackendException(BackendFailure.QUOTA_EXCEEDED, "aws: instance " + instance.instanceId()
                    + " has no free device name for another volume");
        }
        String chosen = device;
        AwsNetwork.call("AttachVolume " + volume.volumeId() + " to " + instance.instanceId(), () -> ec2.attachVolume(
                r -> r.volumeId(volume.volumeId()).instanceId(instance.instanceId()).device(chosen)));
        return chosen;
    }

    @Override
    public boolean detach(VolumeData volume, ProvisioningData instance) {
        Ec2Client ec2 = clients.ec2(volume.region());
        try {
            ec2.detachVolume(r -> r.volumeId(volume.volumeId()).instanceId(instance.instanceId()));
        } catch (SdkException e) {
            String code = AwsErrors.code(e);
            if (!"IncorrectState".equals(code) && !"InvalidAttachment.NotFound".equals(code)
                    && !"InvalidVolume.NotFound".equals(code)) {
                throw AwsErrors.map(e, "DetachVolume " + volume.volumeId());
            }
        }
        Volume current = describe(ec2, volume.volumeId());
        return current == null || current.attachments().stream()
                .noneMatch(a -> instance.instanceId().equals(a.instanceId()));
    }

    @Override
    public void delete(VolumeData volume) {
        if (!volume.external()) {
            deleteById(clients.ec2(volume.region()), volume.volumeId());
        }
    }

    /** Deletes; false while the volume is still attached. */
    boolean deleteById(Ec2Client ec2, String volumeId) {
        try {
            ec2.deleteVolume(r -> r.volumeId(volumeId));
            return true;
        } catch (SdkException e) {
            String code = AwsErrors.code(e);
            if ("InvalidVolume.NotFound".equals(code)) {
                return true;
            }
            if ("VolumeInUse".equals(code)) {
                return false;
            }
            throw AwsErrors.map(e, "DeleteVolume " + volumeId);
        }
    }

    List<CloudResource> find(Ec2Client ec2, String region, List<Filter> filters) {
        List<CloudResource> found = new ArrayList<>();
        AwsNetwork.call("DescribeVolumes in " + region, () -> ec2.describeVolumes(r -> r.filters(filters)).volumes())
                .forEach(v -> found.add(new CloudResource(KIND, v.volumeId(), region, AwsTags.toMap(v.tags()))));
        return found;
    }

    private static Volume describe(Ec2Client ec2, String volumeId) {
        try {
            return ec2.describeVolumes(r -> r.volumeIds(volumeId)).volumes().stream().findFirst().orElse(null);
        } catch (SdkException e) {
            if ("InvalidVolume.NotFound".equals(AwsErrors.code(e))) {
                return null;
            }
            throw AwsErrors.map(e, "DescribeVolumes " + volumeId);
        }
    }

    private static Volume waitFor(Ec2Client ec2, String volumeId, Set<String> states) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        long sleep = 200;
        while (true) {
            Volume volume = describe(ec2, volumeId);
            if (volume != null && states.contains(volume.stateAsString())) {
                return volume;
            }
            if (volume != null && "error".equals(volume.stateAsString())) {
                throw new BackendException(BackendFailure.OTHER, "aws: volume " + volumeId + " failed to create");
            }
            if (System.currentTimeMillis() > deadline) {
                throw new BackendException(BackendFailure.OTHER, "aws: volume " + volumeId + " is not "
                        + states + " after " + WAIT_MILLIS / 1000 + " s");
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendFailure.OTHER, "interrupted while waiting for volume " + volumeId);
            }
            sleep = Math.min(5_000, sleep * 2);
        }
    }
}
