package ai.dstack.api.volume;

import ai.dstack.api.json.internal.Values;
import java.util.Objects;

/**
 * What the backend created for a volume.
 *
 * @param backend null from older servers
 * @param price dollars per month, or null
 * @param attachable whether the volume has to be attached and detached; true when absent
 * @param detachable true when absent
 * @param backendData backend-specific data as a JSON string, or null
 */
public record VolumeProvisioningData(
        String backend,
        String volumeId,
        int sizeGb,
        String availabilityZone,
        Double price,
        Boolean attachable,
        Boolean detachable,
        String backendData) {
    public VolumeProvisioningData {
        Objects.requireNonNull(volumeId, "volumeId is null");
        attachable = Values.orDefault(attachable, true);
        detachable = Values.orDefault(detachable, true);
    }
}
