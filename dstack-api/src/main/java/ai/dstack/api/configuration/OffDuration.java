package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/** A duration that can be switched off: written {@code "off"} or as seconds. */
public record OffDuration(Long seconds) {
    public static final OffDuration OFF = new OffDuration(null);

    public static OffDuration ofSeconds(long seconds) {
        return new OffDuration(seconds);
    }

    /**
     * Reads the wire form: {@code "off"} (or {@code false}, as dstack accepts) or whole seconds.
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static OffDuration fromWire(JsonNode value) {
        if ((value.isTextual() && value.textValue().equals("off")) || (value.isBoolean() && !value.booleanValue())) {
            return OFF;
        }
        if (value.canConvertToLong() && value.isIntegralNumber()) {
            return ofSeconds(value.longValue());
        }
        throw new IllegalArgumentException("Invalid duration " + value + ": expected \"off\" or a number of seconds");
    }

    public boolean isOff() {
        return seconds == null;
    }

    @JsonValue
    public Object wireValue() {
        return seconds == null ? "off" : seconds;
    }
}
