package ai.dstack.api.offer;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** What runs the job on an offered instance: dstack's shim (containers on a VM) or its runner directly. */
public enum InstanceRuntime {
    SHIM("shim"),
    RUNNER("runner"),
    /** A value this version does not know, sent by a newer server. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    InstanceRuntime(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static InstanceRuntime fromWireValue(String value) {
        return WireValues.lookup(values(), InstanceRuntime::wireValue, value, UNKNOWN);
    }
}
