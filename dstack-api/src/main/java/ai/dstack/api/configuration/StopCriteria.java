package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** When a multi-node run counts as finished. */
public enum StopCriteria {
    ALL_DONE("all-done"),
    MASTER_DONE("master-done");

    private final String wireValue;

    StopCriteria(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(StopCriteria::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static StopCriteria fromWireValue(String value) {
        for (StopCriteria v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
