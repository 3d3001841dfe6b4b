package ai.dstack.api.instance;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** An instance's health as last checked. */
public enum HealthStatus {
    HEALTHY("healthy"),
    WARNING("warning"),
    FAILURE("failure"),
    /** A value this version does not know, sent by a newer server. Neither healthy nor failure. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    HealthStatus(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static HealthStatus fromWireValue(String value) {
        return WireValues.lookup(values(), HealthStatus::wireValue, value, UNKNOWN);
    }

    public boolean isHealthy() {
        return this == HEALTHY;
    }

    public boolean isFailure() {
        return this == FAILURE;
    }
}
