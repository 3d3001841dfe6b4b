package ai.dstack.backend.aws.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.CloudResource;
import ai.dstack.spi.backend.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Address;
import software.amazon.awssdk.services.ec2.model.DomainType;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.ResourceType;

/**
 * Elastic IPs for instances EC2 gives no public address (several network interfaces: multi-card EFA), as dstack
 * gives them with {@code public_ips: true}: allocated with the project's tags and {@code dstack_instance}, associated
 * with the primary interface, and released when the instance is terminated (found by that tag, so a server that
 * died in between leaves none behind).
 */
final class AwsElasticIps {
    static final String KIND = "elastic-ip";
    static final String INSTANCE_TAG = "dstack_instance";

    /** Gives the running instance an Elastic IP on its primary interface; returns its public address. */
    String associate(Ec2Client ec2, String region, Instance instance, Map<String, String> projectTags) {
        String primary = instance.networkInterfaces().stream()
                .filter(n -> n.attachment() != null && Integer.valueOf(0).equals(n.attachment().deviceIndex()))
                .map(n -> n.networkInterfaceId()).findFirst()
                .orElseThrow(() -> new BackendException(BackendFailure.OTHER, "aws: instance "
                        + instance.instanceId() + " has no primary network interface (DeviceIndex 0)"));
        java.util.LinkedHashMap<String, String> tags = new java.util.LinkedHashMap<>(projectTags);
        tags.put(INSTANCE_TAG, instance.instanceId());
        var allocated = AwsNetwork.call("AllocateAddress in " + region + " for " + instance.instanceId(),
                () -> ec2.allocateAddress(r -> r.domain(DomainType.VPC).tagSpecifications(t -> t
                        .resourceType(ResourceType.ELASTIC_IP).tags(AwsTags.of(tags)))));
        String allocation = allocated.allocationId();
        try {
            ec2.associateAddress(r -> r.allocationId(allocation).networkInterfaceId(primary)
                    .allowReassociation(false));
        } catch (SdkException e) {
            release(ec2, allocation);
            throw AwsErrors.map(e, "AssociateAddress " + allocation + " to " + instance.instanceId());
        }
        return describe(ec2, region, List.of(AwsNetwork.filter("allocation-id", allocation))).stream()
                .map(Address::publicIp).filter(ip -> ip != null).findFirst().orElse(allocated.publicIp());
    }

    /** Releases the instance's Elastic IPs (none for most instances). */
    void releaseOf(Ec2Client ec2, String region, String instanceId) {
        for (Address address : describe(ec2, region, List.of(AwsNetwork.filter("tag:" + INSTANCE_TAG, instanceId)))) {
            release(ec2, address);
        }
    }

    List<CloudResource> find(Ec2Client ec2, String region, List<Filter> filters) {
        List<CloudResource> found = new ArrayList<>();
        describe(ec2, region, filters).forEach(a -> found.add(new CloudResource(KIND, a.allocationId(), region,
                AwsTags.toMap(a.tags()))));
        return found;
    }

    /** Releases an Elastic IP by its allocation id, disassociating it first; one already gone is fine. */
    boolean release(Ec2Client ec2, String allocationId) {
        List<Address> found;
        try {
            found = ec2.describeAddresses(r -> r.allocationIds(allocationId)).addresses();
        } catch (SdkException e) {
            if (gone(e)) {
                return true;
            }
            throw AwsErrors.map(e, "DescribeAddresses " + allocationId);
        }
        found.forEach(a -> release(ec2, a));
        return true;
    }

    private static void release(Ec2Client ec2, Address address) {
        if (address.associationId() != null) {
            try {
                ec2.disassociateAddress(r -> r.associationId(address.associationId()));
            } catch (SdkException e) {
                if (!"InvalidAssociationID.NotFound".equals(AwsErrors.code(e))) {
                    throw AwsErrors.map(e, "DisassociateAddress " + address.associationId());
                }
            }
        }
        try {
            ec2.releaseAddress(r -> r.allocationId(address.allocationId()));
        } catch (SdkException e) {
            if (!gone(e)) {
                throw AwsErrors.map(e, "ReleaseAddress " + address.allocationId());
            }
        }
    }

    private static List<Address> describe(Ec2Client ec2, String region, List<Filter> filters) {
        return AwsNetwork.call("DescribeAddresses in " + region, () -> ec2.describeAddresses(r -> r.filters(filters))
                .addresses());
    }

    private static boolean gone(SdkException e) {
        String code = AwsErrors.code(e);
        return "InvalidAllocationID.NotFound".equals(code) || "InvalidAddress.NotFound".equals(code);
    }

    /** The tags an Elastic IP of the project gets besides {@code dstack_instance}. */
    static Map<String, String> projectTags(String project, Map<String, String> configured) {
        Map<String, String> tags = Tags.ofProject(project);
        configured.forEach(tags::putIfAbsent);
        return tags;
    }
}
