package ai.dstack.backend.aws.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Which instance types take an Elastic Fabric Adapter, asked of EC2 ({@code DescribeInstanceTypes},
 * {@code NetworkInfo.EfaSupported}) as dstack asks it, and remembered per type: instances of those types in a cluster
 * placement group get their network interface as {@code InterfaceType=efa}.
 */
final class AwsEfa {
    private final Map<String, Boolean> supported = new ConcurrentHashMap<>();

    boolean supported(Ec2Client ec2, String region, String instanceType) {
        Boolean known = supported.get(instanceType);
        if (known != null) {
            return known;
        }
        boolean efa;
        try {
            efa = ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings(instanceType)).instanceTypes().stream()
                    .anyMatch(t -> t.networkInfo() != null && Boolean.TRUE.equals(t.networkInfo().efaSupported()));
        } catch (SdkException e) {
            throw AwsErrors.map(e, "DescribeInstanceTypes " + instanceType + " in " + region);
        }
        supported.put(instanceType, efa);
        return efa;
    }
}
