package ai.dstack.api.instance;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** An instance's status ({@code InstanceStatus}). */
public enum InstanceStatus {
    PENDING("pending"),
    PROVISIONING("provisioning"),
    IDLE("idle"),
    BUSY("busy"),
    TERMINATING("terminating"),
    TERMINATED("terminated"),
    /** A value this version does not know, sent by a newer server. Neither available, active nor finished. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    InstanceStatus(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static InstanceStatus fromWireValue(String value) {
        return WireValues.lookup(values(), InstanceStatus::wireValue, value, UNKNOWN);
    }

    /** Idle or busy: the instance can run jobs. */
    public boolean isAvailable() {
        return this == IDLE || this == BUSY;
    }

    /** Terminating or terminated. */
    public boolean isFinished() {
        return this == TERMINATING || this == TERMINATED;
    }

    /** Known and not terminating or terminated. */
    public boolean isActive() {
        return this != UNKNOWN && !isFinished();
    }
}
