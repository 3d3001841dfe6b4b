package ai.dstack.api.resources;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/** A CUDA compute capability such as {@code 7.5}; written as {@code [7, 5]} as dstack does. */
public record ComputeCapability(int major, int minor) {
    @JsonValue
    public List<Integer> asList() {
        return List.of(major, minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
