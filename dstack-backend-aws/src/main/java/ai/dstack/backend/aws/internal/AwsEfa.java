package ai.dstack.backend.aws.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceNetworkInterfaceSpecification;
import software.amazon.awssdk.services.ec2.model.NetworkInfo;

/**
 * Elastic Fabric Adapters, as dstack attaches them: EC2 ({@code DescribeInstanceTypes}) says how many EFA interfaces
 * a type takes ({@code NetworkInfo.EfaInfo.MaximumEfaInterfaces}) on how many network cards
 * ({@code MaximumNetworkCards}); remembered per type. In a cluster placement group an EFA type's primary interface is
 * {@code efa}, and a type with several network cards (p4d, p5) gets one more EFA interface on each further card
 * ({@code efa-only}, GPU-to-GPU traffic only; on p5.48xlarge every fourth is {@code efa}, as AWS documents). AWS gives
 * no public address to an instance with several interfaces: {@link AwsElasticIps} gives it one.
 */
final class AwsEfa {
    /** Types whose primary network card takes no EFA: their EFA interfaces are all on the further cards. */
    private static final List<String> PRIMARY_WITHOUT_EFA = List.of("p6-b300.48xlarge");

    /** What EC2 says of a type; {@code interfaces} 0 when it takes no EFA. */
    record Info(int interfaces, int networkCards) {
        boolean supported() {
            return interfaces > 0;
        }
    }

    private final Map<String, Info> known = new ConcurrentHashMap<>();

    Info info(Ec2Client ec2, String region, String instanceType) {
        Info cached = known.get(instanceType);
        if (cached != null) {
            return cached;
        }
        Info info;
        try {
            info = ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings(instanceType)).instanceTypes().stream()
                    .map(t -> t.networkInfo()).filter(n -> n != null).findFirst().map(AwsEfa::of)
                    .orElse(new Info(0, 1));
        } catch (SdkException e) {
            throw AwsErrors.map(e, "DescribeInstanceTypes " + instanceType + " in " + region);
        }
        known.put(instanceType, info);
        return info;
    }

    private static Info of(NetworkInfo network) {
        int cards = network.maximumNetworkCards() == null ? 1 : Math.max(1, network.maximumNetworkCards());
        if (!Boolean.TRUE.equals(network.efaSupported())) {
            return new Info(0, cards);
        }
        int interfaces = network.efaInfo() == null || network.efaInfo().maximumEfaInterfaces() == null ? 1
                : network.efaInfo().maximumEfaInterfaces();
        return new Info(interfaces, cards);
    }

    /**
     * The RunInstances network interfaces: the primary one (with {@code efa} when {@code withEfa} and the type's
     * primary card takes it), then one EFA interface per further network card. With several interfaces none asks for
     * a public address (EC2 refuses that).
     */
    static List<InstanceNetworkInterfaceSpecification> interfaces(String instanceType, Info info, boolean withEfa,
            String subnetId, String groupId, boolean publicIp) {
        boolean primaryEfa = withEfa && info.supported() && !PRIMARY_WITHOUT_EFA.contains(instanceType);
        int cards = withEfa ? Math.min(info.interfaces() + (primaryEfa ? 0 : 1), info.networkCards()) : 1;
        boolean several = cards > 1;
        List<InstanceNetworkInterfaceSpecification> out = new ArrayList<>();
        out.add(InstanceNetworkInterfaceSpecification.builder().deviceIndex(0).subnetId(subnetId).groups(groupId)
                .associatePublicIpAddress(publicIp && !several).interfaceType(primaryEfa ? "efa" : null)
                .deleteOnTermination(true).build());
        for (int card = 1; card < cards; card++) {
            String type = "p5.48xlarge".equals(instanceType) && card % 4 == 0 ? "efa" : "efa-only";
            out.add(InstanceNetworkInterfaceSpecification.builder().networkCardIndex(card).deviceIndex(1)
                    .subnetId(subnetId).groups(groupId).associatePublicIpAddress(false).interfaceType(type)
                    .deleteOnTermination(true).build());
        }
        return out;
    }
}
