package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
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

    /**
     * Reads the wire form: a map of values, where {@code {"key": NAME}} is a pass-through variable still waiting
     * for a value. Numbers and booleans are taken as their text, as dstack does.
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Env fromWire(JsonNode value) {
        if (!value.isObject()) {
            throw new IllegalArgumentException("Invalid env " + value + ": expected an object");
        }
        Map<String, String> variables = new LinkedHashMap<>();
        value.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v.isObject() && v.path("key").isTextual()) {
                variables.put(e.getKey(), null);
            } else if (v.isValueNode() && !v.isNull()) {
                variables.put(e.getKey(), v.asText());
            } else {
                throw new IllegalArgumentException("Invalid env value for " + e.getKey() + ": " + v);
            }
        });
        return new Env(variables);
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
