package ai.dstack.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A UTC clock that a test moves by hand, so that whatever reads it (the engine's idle timeouts, schedules, retries,
 * inactivity and scaling windows) sees time pass without the test waiting. Give it to the engine's builder:
 *
 * <pre>{@code
 * SettableClock clock = SettableClock.fixedAt(Instant.parse("2026-11-23T10:15:30Z"));
 * DstackEngine engine = DstackEngine.builder().serverDirectory(dir).clock(clock).build();
 * ...
 * clock.advance(Duration.ofMinutes(30));   // the engine's next sweep sees the run idle for 30 minutes
 * }</pre>
 *
 * <p>Two kinds: {@link #fixedAt} stands still between moves, for exact instants (a cron schedule firing);
 * {@link #offsetFromSystem} ticks with the system clock and jumps when moved, for tests that also need ordinary time
 * to pass (a process running, a connection timing out). Safe to move from one thread while others read it.
 */
public final class SettableClock extends Clock {
    private final boolean ticking;
    /** The instant for a fixed clock; the offset from the system clock, as an instant after the epoch, otherwise. */
    private Instant fixedOrOffset;

    private SettableClock(boolean ticking, Instant fixedOrOffset) {
        this.ticking = ticking;
        this.fixedOrOffset = fixedOrOffset;
    }

    /** A clock that reads {@code start} until it is moved. */
    public static SettableClock fixedAt(Instant start) {
        return new SettableClock(false, Objects.requireNonNull(start, "start is null"));
    }

    /** A clock that reads the system clock until it is moved, then the system clock plus the moves. */
    public static SettableClock offsetFromSystem() {
        return new SettableClock(true, Instant.EPOCH);
    }

    /** Moves the clock forward (or back, for a negative duration). */
    public synchronized void advance(Duration duration) {
        fixedOrOffset = fixedOrOffset.plus(Objects.requireNonNull(duration, "duration is null"));
    }

    /** Moves the clock to {@code instant}; a ticking clock goes on ticking from there. */
    public synchronized void set(Instant instant) {
        Objects.requireNonNull(instant, "instant is null");
        fixedOrOffset = ticking ? Instant.EPOCH.plus(Duration.between(Instant.now(), instant)) : instant;
    }

    @Override
    public synchronized Instant instant() {
        return ticking ? Instant.now().plus(Duration.between(Instant.EPOCH, fixedOrOffset)) : fixedOrOffset;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** The same clock: it is always UTC, and a copy in another zone would not follow this one's moves. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public String toString() {
        return "SettableClock[" + (ticking ? "system plus moves" : "fixed") + ", now " + instant() + "]";
    }
}
