package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** The in-service HTTP router a replica group runs. */
public enum RouterType {
    SGLANG("sglang"),
    DYNAMO("dynamo");

    private final String wireValue;

    RouterType(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(RouterType::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static RouterType fromWireValue(String value) {
        for (RouterType v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
