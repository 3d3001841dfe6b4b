package ai.dstack.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SettableClockTest {
    private static final Instant START = Instant.parse("2026-11-23T10:15:30Z");

    @Test
    void aFixedClockStandsStillUntilMoved() throws Exception {
        SettableClock clock = SettableClock.fixedAt(START);
        Thread.sleep(5);

        assertThat(clock.instant()).isEqualTo(START);
        clock.advance(Duration.ofMinutes(30));
        assertThat(clock.instant()).isEqualTo(START.plus(Duration.ofMinutes(30)));
        clock.set(START.minusSeconds(1));
        assertThat(clock.millis()).isEqualTo(START.minusSeconds(1).toEpochMilli());
        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void aTickingClockFollowsTheSystemClockPlusItsMoves() throws Exception {
        SettableClock clock = SettableClock.offsetFromSystem();
        Instant before = Instant.now();
        assertThat(clock.instant()).isBetween(before, Instant.now());

        clock.advance(Duration.ofHours(2));
        Instant first = clock.instant();
        assertThat(first).isAfterOrEqualTo(before.plus(Duration.ofHours(2)));
        Thread.sleep(20);
        assertThat(clock.instant()).isAfter(first);

        clock.set(START);
        Instant afterSet = clock.instant();
        assertThat(afterSet).isBetween(START, START.plusSeconds(5));
    }
}
