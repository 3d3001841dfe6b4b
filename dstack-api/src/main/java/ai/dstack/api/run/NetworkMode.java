package ai.dstack.api.run;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a job's container is networked on its instance. */
public enum NetworkMode {
    HOST("host"),
    BRIDGE("bridge"),
    /** A value this version does not know, sent by a newer server. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    NetworkMode(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static NetworkMode fromWireValue(String value) {
        return WireValues.lookup(values(), NetworkMode::wireValue, value, UNKNOWN);
    }
}
