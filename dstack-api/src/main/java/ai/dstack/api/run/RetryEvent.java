package ai.dstack.api.run;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** What a run may be retried on ({@code retry.on_events}). */
public enum RetryEvent {
    NO_CAPACITY("no-capacity"),
    INTERRUPTION("interruption"),
    ERROR("error"),
    /** A value this version does not know, sent by a newer server. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    RetryEvent(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static RetryEvent fromWireValue(String value) {
        return WireValues.lookup(values(), RetryEvent::wireValue, value, UNKNOWN);
    }
}
