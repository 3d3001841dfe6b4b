package ai.dstack.api.configuration;

import ai.dstack.api.run.RetryEvent;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** {@code retry:} as written: either a flag ({@code retry: true}) or a {@link ProfileRetry} policy. */
public sealed interface RetrySpec permits RetryFlag, ProfileRetry {
    /** The retry policy this setting means, or null when retry is off. */
    ProfileRetry effective();

    /**
     * Reads the wire form: {@code true}/{@code false} or {@code {"on_events": [...]|null, "duration": seconds|null}}.
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static RetrySpec fromWire(JsonNode value) {
        if (value.isBoolean()) {
            return new RetryFlag(value.booleanValue());
        }
        if (!value.isObject()) {
            throw new IllegalArgumentException("Invalid retry " + value + ": expected a boolean or an object");
        }
        JsonNode events = value.path("on_events");
        List<RetryEvent> onEvents = null;
        if (events.isArray()) {
            onEvents = new ArrayList<>();
            for (JsonNode event : events) {
                onEvents.add(RetryEvent.fromWireValue(event.asText()));
            }
        }
        JsonNode duration = value.path("duration");
        return new ProfileRetry(onEvents, duration.isIntegralNumber() ? duration.longValue() : null);
    }
}
