package ai.dstack.api.resources;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A CUDA compute capability such as {@code 7.5}; written as {@code [7, 5]} as dstack does. */
public record ComputeCapability(int major, int minor) {
    /**
     * Reads the wire form {@code [7, 5]}; also {@code "7.5"} and {@code 7.5}, as dstack accepts.
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ComputeCapability fromWire(JsonNode value) {
        if (value.isArray() && value.size() == 2 && value.get(0).canConvertToInt() && value.get(1).canConvertToInt()) {
            return new ComputeCapability(value.get(0).intValue(), value.get(1).intValue());
        }
        if (value.isTextual() || value.isNumber()) {
            String[] parts = value.asText().trim().split("\\.", -1);
            if (parts.length == 2) {
                try {
                    return new ComputeCapability(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
        }
        throw new IllegalArgumentException("Invalid compute capability " + value + ": expected [major, minor] or \"major.minor\"");
    }

    @JsonValue
    public List<Integer> asList() {
        return List.of(major, minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
