package ai.dstack.api.instance;

import ai.dstack.api.json.internal.Values;
import ai.dstack.api.offer.InstanceType;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A machine of a fleet, as dstack's API shows it.
 *
 * @param backend the backend type ({@code remote} for SSH fleets); null until known
 * @param name {@code <fleet>-<instanceNum>}
 * @param jobName deprecated, always null: an instance can run several jobs
 * @param unreachable false when absent
 * @param healthStatus {@link HealthStatus#HEALTHY} when absent
 * @param terminationReason the wire string; see {@link #instanceTerminationReason()}
 * @param totalBlocks the blocks the instance is split into; null until known
 * @param busyBlocks the blocks in use; 0 when absent
 */
public record Instance(
        UUID id,
        String projectName,
        String backend,
        InstanceType instanceType,
        String name,
        UUID fleetId,
        String fleetName,
        int instanceNum,
        String jobName,
        String hostname,
        InstanceStatus status,
        boolean unreachable,
        HealthStatus healthStatus,
        String terminationReason,
        String terminationReasonMessage,
        Instant created,
        Instant finishedAt,
        String region,
        String availabilityZone,
        Double price,
        Integer totalBlocks,
        int busyBlocks,
        GpuDriverInfo gpuDriver) {
    public Instance {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(projectName, "projectName is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(created, "created is null");
        healthStatus = Values.orDefault(healthStatus, HealthStatus.HEALTHY);
    }

    /** The termination reason, or null when there is none or this version does not know it. */
    public InstanceTerminationReason instanceTerminationReason() {
        return InstanceTerminationReason.fromWireValue(terminationReason);
    }
}
