package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
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

    @JsonValue
    Map<String, Object> wireValue() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", nameList ? names : names.get(0));
        out.put("path", path);
        return out;
    }
}
