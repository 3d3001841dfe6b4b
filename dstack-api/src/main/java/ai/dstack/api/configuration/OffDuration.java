package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;

/** A duration that can be switched off: written {@code "off"} or as seconds. */
public record OffDuration(Long seconds) {
    public static final OffDuration OFF = new OffDuration(null);

    public static OffDuration ofSeconds(long seconds) {
        return new OffDuration(seconds);
    }

    public boolean isOff() {
        return seconds == null;
    }

    @JsonValue
    public Object wireValue() {
        return seconds == null ? "off" : seconds;
    }
}
