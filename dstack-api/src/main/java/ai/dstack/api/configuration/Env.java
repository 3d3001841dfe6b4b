package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Environment variables. A variable given without a value ({@code - HF_TOKEN}) is passed through from the
 * environment of whoever submits the run; it is held here with a null value until then.
 */
public record Env(Map<String, String> variables) {
    public static final Env EMPTY = new Env(Map.of());

    public Env {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
    }

    /** Names of pass-through variables still waiting for a value. */
    public java.util.Set<String> unresolved() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        variables.forEach((k, v) -> {
            if (v == null) {
                out.add(k);
            }
        });
        return out;
    }

    /** dstack's wire form: a pass-through variable is written {@code {"key": NAME}}. */
    @JsonValue
    Map<String, Object> wireValue() {
        Map<String, Object> out = new LinkedHashMap<>();
        variables.forEach((k, v) -> out.put(k, v == null ? Map.of("key", k) : v));
        return out;
    }
}
