package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Where a fleet's instances go: anywhere, or together in one interconnected cluster. */
public enum FleetPlacement {
    ANY("any"),
    CLUSTER("cluster");

    private final String wireValue;

    FleetPlacement(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(FleetPlacement::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static FleetPlacement fromWireValue(String value) {
        for (FleetPlacement v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
