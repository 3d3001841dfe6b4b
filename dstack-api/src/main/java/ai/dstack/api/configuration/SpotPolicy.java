package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Whether to use spot or on-demand instances (dstack's default: on-demand). */
public enum SpotPolicy {
    SPOT("spot"),
    ON_DEMAND("on-demand"),
    AUTO("auto");

    private final String wireValue;

    SpotPolicy(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(SpotPolicy::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static SpotPolicy fromWireValue(String value) {
        for (SpotPolicy v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
