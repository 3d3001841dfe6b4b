package ai.dstack.spi.backend;

import java.util.Objects;

/**
 * A volume as the engine tracks it: dstack's {@code VolumeProvisioningData}.
 *
 * @param backend the backend type
 * @param volumeId the cloud's id
 * @param region its region
 * @param availabilityZone its zone: instances it attaches to must be there
 * @param sizeGb its size
 * @param external whether it existed before ({@code volume_id}); then dstack never deletes it
 * @param price dollars per month; 0 when unknown
 */
public record VolumeData(
        String backend, String volumeId, String region, String availabilityZone, int sizeGb, boolean external,
        double price) {
    public VolumeData {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(volumeId, "volumeId is null");
        Objects.requireNonNull(region, "region is null");
    }
}
