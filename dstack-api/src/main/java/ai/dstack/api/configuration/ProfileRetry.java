package ai.dstack.api.configuration;

import ai.dstack.api.run.RetryEvent;

import java.util.List;

/**
 * A retry policy. {@code onEvents} null means every event; {@code duration} (seconds) null means dstack's
 * default of one hour.
 */
public record ProfileRetry(List<RetryEvent> onEvents, Long duration) implements RetrySpec {
    public static final long DEFAULT_DURATION = 3600;
    public static final List<RetryEvent> ALL_EVENTS = List.of(RetryEvent.NO_CAPACITY, RetryEvent.INTERRUPTION, RetryEvent.ERROR);
    public static final ProfileRetry ALL_EVENTS_FOR_AN_HOUR = new ProfileRetry(ALL_EVENTS, DEFAULT_DURATION);

    public ProfileRetry {
        onEvents = onEvents == null ? null : List.copyOf(onEvents);
    }

    @Override
    public ProfileRetry effective() {
        return new ProfileRetry(onEvents == null ? ALL_EVENTS : onEvents,
                duration == null ? DEFAULT_DURATION : duration);
    }
}
