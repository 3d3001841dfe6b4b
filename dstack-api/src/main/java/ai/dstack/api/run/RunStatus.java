package ai.dstack.api.run;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** A run's status ({@code RunStatus}). */
public enum RunStatus {
    PENDING("pending"),
    SUBMITTED("submitted"),
    PROVISIONING("provisioning"),
    RUNNING("running"),
    TERMINATING("terminating"),
    TERMINATED("terminated"),
    FAILED("failed"),
    DONE("done"),
    /** A value this version does not know, sent by a newer server. Neither active nor finished. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    RunStatus(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static RunStatus fromWireValue(String value) {
        return WireValues.lookup(values(), RunStatus::wireValue, value, UNKNOWN);
    }

    /** Terminated, failed or done. */
    public boolean isFinished() {
        return this == TERMINATED || this == FAILED || this == DONE;
    }

    /** Known and not finished. */
    public boolean isActive() {
        return this != UNKNOWN && !isFinished();
    }
}
