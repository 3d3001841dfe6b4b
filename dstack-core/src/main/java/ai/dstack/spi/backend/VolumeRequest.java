package ai.dstack.spi.backend;

import java.util.Map;
import java.util.Objects;

/**
 * A volume to create ({@code type: volume}).
 *
 * @param project the project's name ({@code dstack_project} tag)
 * @param name dstack's volume name ({@code dstack_name} tag)
 * @param user who asked for it ({@code dstack_user} tag)
 * @param region where to create it
 * @param availabilityZone the zone; null to let the backend choose
 * @param sizeGb the size; null when {@code volumeId} is set
 * @param volumeId an existing volume to use instead; null to create one
 * @param tags resource tags besides dstack's
 */
public record VolumeRequest(
        String project,
        String name,
        String user,
        String region,
        String availabilityZone,
        Integer sizeGb,
        String volumeId,
        Map<String, String> tags) {
    public VolumeRequest {
        Objects.requireNonNull(project, "project is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(region, "region is null");
        if ((sizeGb == null) == (volumeId == null)) {
            throw new IllegalArgumentException("a volume needs either a size or an existing volume id");
        }
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
