package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;

/** What a run may be retried on. */
public enum RetryEvent {
    NO_CAPACITY("no-capacity"),
    INTERRUPTION("interruption"),
    ERROR("error");

    private final String wireValue;

    RetryEvent(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    public static List<String> wireValues() {
        return Arrays.stream(values()).map(RetryEvent::wireValue).toList();
    }

    /** The constant with this wire value, or null. */
    public static RetryEvent fromWireValue(String value) {
        for (RetryEvent v : values()) {
            if (v.wireValue.equals(value)) {
                return v;
            }
        }
        return null;
    }
}
