package ai.dstack.api.volume;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** A volume's status. Deletion is the {@code deleted} flag, not a status. */
public enum VolumeStatus {
    SUBMITTED("submitted"),
    PROVISIONING("provisioning"),
    ACTIVE("active"),
    FAILED("failed"),
    /** A value this version does not know, sent by a newer server. Neither active nor finished. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    VolumeStatus(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static VolumeStatus fromWireValue(String value) {
        return WireValues.lookup(values(), VolumeStatus::wireValue, value, UNKNOWN);
    }

    /** Failed. */
    public boolean isFinished() {
        return this == FAILED;
    }

    /** Known and not failed. */
    public boolean isActive() {
        return this != UNKNOWN && !isFinished();
    }
}
