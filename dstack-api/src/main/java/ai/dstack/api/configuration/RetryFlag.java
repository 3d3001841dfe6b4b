package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonValue;

/** {@code retry: true} (every event, for an hour) or {@code retry: false}. */
public record RetryFlag(boolean enabled) implements RetrySpec {
    @JsonValue
    public boolean enabled() {
        return enabled;
    }

    @Override
    public ProfileRetry effective() {
        return enabled ? ProfileRetry.ALL_EVENTS_FOR_AN_HOUR : null;
    }
}
