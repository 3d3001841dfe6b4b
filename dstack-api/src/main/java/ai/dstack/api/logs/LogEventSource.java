package ai.dstack.api.logs;

import ai.dstack.api.json.internal.WireValues;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonValue;

/** The stream a log line came from. dstack's file log storage reports every line as stdout. */
public enum LogEventSource {
    STDOUT("stdout"),
    STDERR("stderr"),
    /** A value this version does not know, sent by a newer server. */
    @JsonEnumDefaultValue
    UNKNOWN("unknown");

    private final String wireValue;

    LogEventSource(String wireValue) {
        this.wireValue = wireValue;
    }

    @JsonValue
    public String wireValue() {
        return wireValue;
    }

    /** The constant for {@code value}; {@link #UNKNOWN} for a value this version does not know; null for null. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static LogEventSource fromWireValue(String value) {
        return WireValues.lookup(values(), LogEventSource::wireValue, value, UNKNOWN);
    }
}
