package ai.dstack.core.internal.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HintTimersTest {
    private final List<UUID> jobs = new ArrayList<>();
    private final List<UUID> runs = new ArrayList<>();
    private final HintTimers timers = new HintTimers(jobs::add, runs::add);
    private final Instant t0 = Instant.parse("2026-12-07T00:00:00Z");

    @Test
    void aTimerFiresOnceWhenTheClockReachesItAndNotBefore() {
        UUID job = UUID.randomUUID();
        UUID run = UUID.randomUUID();
        timers.add(job, t0.plusSeconds(10), false);
        timers.add(run, t0.plusSeconds(20), true);

        timers.fire(t0.plusSeconds(9));
        assertThat(jobs).isEmpty();
        timers.fire(t0.plusSeconds(10));
        assertThat(jobs).containsExactly(job);
        assertThat(runs).isEmpty();
        timers.fire(t0.plusSeconds(60));
        timers.fire(t0.plusSeconds(61));
        assertThat(jobs).containsExactly(job);
        assertThat(runs).containsExactly(run);
    }

    @Test
    void aRowHasOneTimerTheEarliestAskedFor() {
        UUID job = UUID.randomUUID();
        timers.add(job, t0.plusSeconds(30), false);
        timers.add(job, t0.plusSeconds(10), false); // earlier: replaces the later one
        timers.add(job, t0.plusSeconds(20), false); // later than the one set: nothing more

        timers.fire(t0.plusSeconds(10));
        assertThat(jobs).containsExactly(job);
        timers.fire(t0.plusSeconds(100));
        assertThat(jobs).as("the replaced and the covered timers do not fire").containsExactly(job);

        timers.add(job, t0.plusSeconds(200), false); // after firing, a new timer may be set
        timers.fire(t0.plusSeconds(200));
        assertThat(jobs).containsExactly(job, job);
    }
}
