package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;

/** Something mounted into a job's container: a network volume or a path of the instance. */
public sealed interface MountPoint permits VolumeMountPoint, InstanceMountPoint {
    /** The path in the container. */
    String path();

    /**
     * Reads the wire form: an object with {@code instance_path} is an {@link InstanceMountPoint}, one with
     * {@code name} a {@link VolumeMountPoint}.
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static MountPoint fromWire(JsonNode value) {
        if (value.has("instance_path")) {
            return new InstanceMountPoint(value.get("instance_path").asText(), text(value, "path"),
                    value.path("optional").asBoolean(false));
        }
        return VolumeMountPoint.fromWire(value);
    }

    private static String text(JsonNode value, String field) {
        JsonNode node = value.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("Invalid mount point " + value + ": `" + field + "` must be a string");
        }
        return node.textValue();
    }
}
