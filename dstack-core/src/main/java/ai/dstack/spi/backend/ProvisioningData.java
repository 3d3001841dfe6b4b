package ai.dstack.spi.backend;

import ai.dstack.api.offer.InstanceType;
import java.util.Objects;

/**
 * A cloud instance as the engine tracks it: dstack's {@code JobProvisioningData}.
 *
 * @param backend the backend type
 * @param instanceType the offer's instance type and resources
 * @param instanceId the cloud's id
 * @param hostname the address to reach it over SSH; null until it runs
 * @param internalIp its address inside the cloud network; null until it runs
 * @param region its region
 * @param availabilityZone its zone; null when the cloud has none
 * @param price dollars per hour
 * @param spot whether it is a spot instance
 * @param username the SSH user
 * @param sshPort the SSH port
 * @param backendData what the backend needs later to find it again (JSON); null when nothing
 */
public record ProvisioningData(
        String backend,
        InstanceType instanceType,
        String instanceId,
        String hostname,
        String internalIp,
        String region,
        String availabilityZone,
        double price,
        boolean spot,
        String username,
        int sshPort,
        String backendData) {
    public ProvisioningData {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(instanceType, "instanceType is null");
        Objects.requireNonNull(instanceId, "instanceId is null");
        Objects.requireNonNull(region, "region is null");
        Objects.requireNonNull(username, "username is null");
    }

    /** This data with the addresses the running instance was given. */
    public ProvisioningData withAddresses(String hostname, String internalIp) {
        return new ProvisioningData(backend, instanceType, instanceId, hostname, internalIp, region, availabilityZone,
                price, spot, username, sshPort, backendData);
    }
}
