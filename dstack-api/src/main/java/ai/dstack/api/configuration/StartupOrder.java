package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** The order in which the jobs of a multi-node run start. */
public enum StartupOrder {
    ANY("any"),
    MASTER_FIRST("master-first"),
    WORKERS_FIRST("workers-first");

    private final String wireValue;

    StartupOrder(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(StartupOrder::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static StartupOrder fromWireValue(String value) {
        for (StartupOrder v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
