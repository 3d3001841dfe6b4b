package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network volume mounted at {@code path}. With several names, any one of them is mounted.
 * {@code nameList} records whether the names were given as a list, so the configuration is written back as given.
 */
public record VolumeMountPoint(List<String> names, String path, boolean nameList) implements MountPoint {
    public VolumeMountPoint {
        names = List.copyOf(names);
    }

    public static VolumeMountPoint of(String name, String path) {
        return new VolumeMountPoint(List.of(name), path, false);
    }

    /**
     * Reads the wire form {@code {"name": "vol" | ["vol-a", "vol-b"], "path": "/data"}}.
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static VolumeMountPoint fromWire(JsonNode value) {
        JsonNode name = value.path("name");
        JsonNode path = value.path("path");
        if (!path.isTextual()) {
            throw new IllegalArgumentException("Invalid volume mount point " + value + ": `path` must be a string");
        }
        if (name.isTextual()) {
            return new VolumeMountPoint(List.of(name.textValue()), path.textValue(), false);
        }
        if (name.isArray() && !name.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (JsonNode n : name) {
                if (!n.isTextual()) {
                    break;
                }
                names.add(n.textValue());
            }
            if (names.size() == name.size()) {
                return new VolumeMountPoint(names, path.textValue(), true);
            }
        }
        throw new IllegalArgumentException("Invalid volume mount point " + value
                + ": `name` must be a string or a non-empty list of strings");
    }

    @JsonValue
    Map<String, Object> wireValue() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", nameList ? names : names.get(0));
        out.put("path", path);
        return out;
    }
}
