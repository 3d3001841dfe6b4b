package ai.dstack.backend.aws.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.IpPermission;
import software.amazon.awssdk.services.ec2.model.IpRange;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Subnet;
import software.amazon.awssdk.services.ec2.model.UserIdGroupPair;
import software.amazon.awssdk.services.ec2.model.Vpc;

/**
 * The network an instance is launched into: the configured VPC (by {@code vpc_ids}, {@code vpc_name}, or the default
 * VPC), a subnet of it in the zone, the project's security group (SSH from anywhere, all traffic between the
 * project's instances) and the project's key pair.
 */
final class AwsNetwork {
    private final AwsSettings settings;

    AwsNetwork(AwsSettings settings) {
        this.settings = settings;
    }

    /** dstack's name of the project's security group. */
    String securityGroupName() {
        return "dstack_security_group_" + settings.project().replace('-', '_').toLowerCase(java.util.Locale.ROOT);
    }

    String keyPairName() {
        return "dstack-" + settings.project();
    }

    String vpcId(Ec2Client ec2, String region) {
        String id = settings.vpcIds().get(region);
        List<Filter> filters;
        String what;
        if (id != null) {
            filters = List.of(filter("vpc-id", id));
            what = "vpc_ids." + region + " " + id;
        } else if (settings.vpcName() != null) {
            filters = List.of(filter("tag:Name", settings.vpcName()));
            what = "vpc_name " + settings.vpcName();
        } else if (settings.defaultVpcs()) {
            filters = List.of(filter("is-default", "true"));
            what = "the default VPC";
        } else {
            throw new BackendException(BackendFailure.INVALID_CONFIGURATION,
                    "aws: no VPC is configured for region " + region + " (vpc_ids) and default_vpcs is false");
        }
        List<Vpc> vpcs = call("DescribeVpcs in " + region, () -> ec2.describeVpcs(r -> r.filters(filters)).vpcs());
        if (vpcs.isEmpty()) {
            throw new BackendException(BackendFailure.NOT_FOUND, "aws: " + what + " was not found in " + region);
        }
        return vpcs.get(0).vpcId();
    }

    /** A subnet of the VPC in the zone; null when the VPC has none there. */
    Subnet subnet(Ec2Client ec2, String region, String vpcId, String zone) {
        List<Subnet> subnets = call("DescribeSubnets in " + region, () -> ec2.describeSubnets(
                r -> r.filters(filter("vpc-id", vpcId), filter("availability-zone", zone))).subnets());
        return subnets.stream().min(Comparator.comparing(Subnet::subnetId)).orElse(null);
    }

    /** The project's security group in the VPC, created when missing. */
    String securityGroup(Ec2Client ec2, String region, String vpcId, Map<String, String> tags) {
        String name = securityGroupName();
        List<SecurityGroup> found = call("DescribeSecurityGroups in " + region, () -> ec2.describeSecurityGroups(
                r -> r.filters(filter("group-name", name), filter("vpc-id", vpcId))).securityGroups());
        if (!found.isEmpty()) {
            return found.get(0).groupId();
        }
        String id = call("CreateSecurityGroup " + name + " in " + region, () -> ec2.createSecurityGroup(r -> r
                .groupName(name).description("dstack instances of project " + settings.project()).vpcId(vpcId)
                .tagSpecifications(t -> t.resourceType(ResourceType.SECURITY_GROUP).tags(AwsTags.of(tags))))
                .groupId());
        call("AuthorizeSecurityGroupIngress " + name, () -> ec2.authorizeSecurityGroupIngress(r -> r.groupId(id)
                .ipPermissions(
                        IpPermission.builder().ipProtocol("tcp").fromPort(22).toPort(22)
                                .ipRanges(IpRange.builder().cidrIp("0.0.0.0/0").build()).build(),
                        IpPermission.builder().ipProtocol("-1")
                                .userIdGroupPairs(UserIdGroupPair.builder().groupId(id).build()).build())));
        return id;
    }

    /** The project's key pair holding its public key, imported when missing. */
    String keyPair(Ec2Client ec2, String region, String publicKey, Map<String, String> tags) {
        String name = keyPairName();
        List<KeyPairInfo> found = call("DescribeKeyPairs in " + region,
                () -> ec2.describeKeyPairs(r -> r.filters(filter("key-name", name))).keyPairs());
        if (found.isEmpty()) {
            call("ImportKeyPair " + name + " in " + region, () -> ec2.importKeyPair(r -> r.keyName(name)
                    .publicKeyMaterial(software.amazon.awssdk.core.SdkBytes.fromUtf8String(publicKey))
                    .tagSpecifications(t -> t.resourceType(ResourceType.KEY_PAIR).tags(AwsTags.of(tags)))));
        }
        return name;
    }

    static Filter filter(String name, String... values) {
        return Filter.builder().name(name).values(values).build();
    }

    static <T> T call(String doing, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw AwsErrors.map(e, doing);
        }
    }
}
