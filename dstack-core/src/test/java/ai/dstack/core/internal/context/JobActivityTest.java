package ai.dstack.core.internal.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** How long a job has had nobody attached, as {@code inactivity_duration} counts it. */
class JobActivityTest {
    private static final Instant ENGINE_START = Instant.parse("2026-01-01T12:00:00Z");

    private final MovableClock clock = new MovableClock(ENGINE_START);
    private final JobActivity activity = new JobActivity(clock);
    private final UUID job = UUID.randomUUID();

    @Test
    void idleSinceTheJobStartedWhenNobodyEverAttached() {
        Instant started = ENGINE_START.plusSeconds(10);
        clock.now = started.plusSeconds(50);
        assertThat(activity.idle(job, started)).isEqualTo(Duration.ofSeconds(50));
        assertThat(activity.attached(job)).isFalse();
    }

    @Test
    void notIdleWhileAnySessionIsOpenThenIdleSinceTheLastOneClosed() {
        Instant started = ENGINE_START;
        JobActivity.Attachment first = activity.attach(job);
        JobActivity.Attachment second = activity.attach(job);
        clock.now = ENGINE_START.plusSeconds(100);
        first.close();
        first.close(); // closing twice counts once
        assertThat(activity.attached(job)).isTrue();
        assertThat(activity.idle(job, started)).isZero();
        clock.now = ENGINE_START.plusSeconds(200);
        second.close();
        clock.now = ENGINE_START.plusSeconds(230);
        assertThat(activity.idle(job, started)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aJobStartedBeforeThisEngineIsIdleOnlySinceTheEngineStarted() {
        clock.now = ENGINE_START.plusSeconds(5);
        assertThat(activity.idle(job, ENGINE_START.minus(Duration.ofDays(1)))).isEqualTo(Duration.ofSeconds(5));
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
