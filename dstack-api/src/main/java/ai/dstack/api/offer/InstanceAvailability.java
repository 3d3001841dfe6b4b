package ai.dstack.api.offer;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** Whether an offer can be had now. Offers of existing instances are {@link #IDLE} or {@link #BUSY}. */
public enum InstanceAvailability {
    /** The backend cannot tell; also what a value this version does not know reads as. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown"),
    AVAILABLE("available"),
    NOT_AVAILABLE("not_available"),
    NO_QUOTA("no_quota"),
    NO_BALANCE("no_balance"),
    IDLE("idle"),
    BUSY("busy");

    private final String wireValue;

    InstanceAvailability(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static InstanceAvailability fromWireValue(String value) {
        return WireValues.lookup(values(), InstanceAvailability::wireValue, value, UNKNOWN);
    }

    /** Unknown, available or idle: worth trying. */
    public boolean isAvailable() {
        return this == UNKNOWN || this == AVAILABLE || this == IDLE;
    }
}
