package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What is known about a job only once it is placed or started. Null fields are not known (yet).
 *
 * @param gpu the GPUs the job may use, or null for all
 * @param cpu the CPUs the job may use, or null for all
 * @param memory gigabytes the job may use, or null for all
 * @param ports container port to host port, as the shim reports it; empty in host network mode
 * @param offer the (shared) offer the job runs on
 * @param workingDir the working directory the runner resolved
 * @param username the OS user the runner resolved
 */
public record JobRuntimeData(
        NetworkMode networkMode,
        Integer gpu,
        Double cpu,
        Double memory,
        Map<Integer, Integer> ports,
        List<String> volumeNames,
        InstanceOfferWithAvailability offer,
        String workingDir,
        String username) {
    public JobRuntimeData {
        Objects.requireNonNull(networkMode, "networkMode is null");
        ports = Values.mapOrNull(ports);
        volumeNames = Values.listOrNull(volumeNames);
    }
}
