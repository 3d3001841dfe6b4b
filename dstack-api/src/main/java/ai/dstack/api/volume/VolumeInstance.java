package ai.dstack.api.volume;

import java.util.Objects;

/**
 * The instance a volume is attached to.
 *
 * @param instanceId the instance's id in the cloud, or null
 */
public record VolumeInstance(String name, String fleetName, int instanceNum, String instanceId) {
    public VolumeInstance {
        Objects.requireNonNull(name, "name is null");
    }
}
