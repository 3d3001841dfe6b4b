package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many instances a cloud fleet has: at least {@code min}, {@code target} on apply, at most {@code max}
 * ({@code null}: no limit).
 */
public record FleetNodes(int min, int target, Integer max) {
    public FleetNodes {
        if (min < 0) {
            throw new IllegalArgumentException("min cannot be negative");
        }
        if (target < min) {
            throw new IllegalArgumentException("target must not be less than min");
        }
        if (max != null && max < target) {
            throw new IllegalArgumentException("max must not be less than target");
        }
    }

    /** {@code nodes: N}: exactly N instances. */
    public static FleetNodes exactly(int count) {
        return new FleetNodes(count, count, count);
    }

    /** dstack's wire form, which leaves {@code target} out when it equals {@code min} (older clients reject it). */
    @JsonValue
    Map<String, Object> wireValue() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("min", min);
        if (target != min) {
            out.put("target", target);
        }
        out.put("max", max);
        return out;
    }
}
