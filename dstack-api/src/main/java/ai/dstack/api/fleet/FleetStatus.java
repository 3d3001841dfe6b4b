package ai.dstack.api.fleet;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** A fleet's status. dstack currently uses only active, terminating and terminated. */
public enum FleetStatus {
    SUBMITTED("submitted"),
    ACTIVE("active"),
    TERMINATING("terminating"),
    TERMINATED("terminated"),
    FAILED("failed"),
    /** A value this version does not know, sent by a newer server. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    FleetStatus(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static FleetStatus fromWireValue(String value) {
        return WireValues.lookup(values(), FleetStatus::wireValue, value, UNKNOWN);
    }
}
