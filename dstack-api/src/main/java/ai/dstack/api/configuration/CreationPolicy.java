package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** Whether a run may only reuse instances or may also create them. */
public enum CreationPolicy {
    REUSE("reuse"),
    REUSE_OR_CREATE("reuse-or-create");

    private final String wireValue;

    CreationPolicy(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(CreationPolicy::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static CreationPolicy fromWireValue(String value) {
        for (CreationPolicy v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
