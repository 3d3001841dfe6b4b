package ai.dstack.api.run;

import ai.dstack.api.instance.GpuDriverInfo;
import ai.dstack.api.instance.SshConnectionParams;
import ai.dstack.api.json.internal.Values;
import ai.dstack.api.offer.InstanceType;
import java.util.Objects;

/**
 * Where a job was placed: the instance, how to reach it and what it costs.
 *
 * @param backend the backend type, e.g. {@code aws}
 * @param baseBackend the backend that really hosts the instance, when another backend provisioned it there
 * @param hostname public IP, or private IP without public IPs; null until known
 * @param publicIpEnabled true when absent
 * @param instanceNetwork the multi-node network as {@code <ip>/<mask>}, or null
 * @param price dollars per hour
 * @param username the SSH user on the instance
 * @param sshPort null until known
 * @param dockerized true when dstack's shim runs the job's container on a VM; false for container backends
 * @param sshProxy the jump host in front of the instance, or null
 * @param backendData backend-specific data as a JSON string, or null
 */
public record JobProvisioningData(
        String backend,
        String baseBackend,
        InstanceType instanceType,
        String instanceId,
        String hostname,
        String internalIp,
        Boolean publicIpEnabled,
        String instanceNetwork,
        String region,
        String availabilityZone,
        String reservation,
        double price,
        String username,
        Integer sshPort,
        boolean dockerized,
        SshConnectionParams sshProxy,
        String backendData,
        GpuDriverInfo gpuDriver) {
    public JobProvisioningData {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(instanceType, "instanceType is null");
        Objects.requireNonNull(instanceId, "instanceId is null");
        Objects.requireNonNull(region, "region is null");
        Objects.requireNonNull(username, "username is null");
        publicIpEnabled = Values.orDefault(publicIpEnabled, true);
    }

    /** The backend that hosts the instance: {@link #baseBackend()} when set, else {@link #backend()}. */
    public String hostingBackend() {
        return baseBackend != null ? baseBackend : backend;
    }

    /** The same, on another instance type (a job's share of a host split into blocks). */
    public JobProvisioningData withInstanceType(InstanceType type) {
        return new JobProvisioningData(backend, baseBackend, type, instanceId, hostname, internalIp, publicIpEnabled,
                instanceNetwork, region, availabilityZone, reservation, price, username, sshPort, dockerized, sshProxy,
                backendData, gpuDriver);
    }
}
