package ai.dstack.spi.logs;

import java.time.Instant;

/**
 * What a {@link LogStore#follow follower} wants to see.
 *
 * @param diagnose follow the runner's own (diagnostic) log instead of the job's output
 * @param replayStored first deliver the events already stored, then the new ones
 * @param startTime only events strictly after this instant (stored or new), or {@code null} for no bound
 */
public record LogFollow(boolean diagnose, boolean replayStored, Instant startTime) {

    /** Only the events written after {@link LogStore#follow} returns. */
    public static LogFollow newEvents(boolean diagnose) {
        return new LogFollow(diagnose, false, null);
    }

    /**
     * The stored events after {@code startTime} ({@code null}: all of them), then every new one, with no gap and no
     * duplicate between the two.
     */
    public static LogFollow storedAndNewAfter(Instant startTime, boolean diagnose) {
        return new LogFollow(diagnose, true, startTime);
    }

    /** Whether an event passes {@link #startTime()}. */
    public boolean accepts(LogEvent event) {
        return startTime == null || event.timestamp().isAfter(startTime);
    }
}
