package ai.dstack.core.internal.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static Instant at(String utc) {
        return Instant.parse(utc);
    }

    private static Instant next(String cron, String now) {
        return CronSchedule.parse(cron).nextFireAtOrAfter(at(now));
    }

    @Test
    void everyMinuteFiresAtTheNextWholeMinuteOrNowIfOnIt() {
        assertThat(next("* * * * *", "2026-11-23T10:15:30Z")).isEqualTo(at("2026-11-23T10:16:00Z"));
        assertThat(next("* * * * *", "2026-11-23T10:15:00Z")).isEqualTo(at("2026-11-23T10:15:00Z"));
        assertThat(next("* * * * *", "2026-11-23T23:59:00.001Z")).isEqualTo(at("2026-11-24T00:00:00Z"));
    }

    @Test
    void dailyAndStepsAndLists() {
        assertThat(next("15 23 * * *", "2026-11-23T23:16:00Z")).isEqualTo(at("2026-11-24T23:15:00Z"));
        assertThat(next("*/20 * * * *", "2026-11-23T10:41:00Z")).isEqualTo(at("2026-11-23T11:00:00Z"));
        assertThat(next("5,35 9-10 * * *", "2026-11-23T10:36:00Z")).isEqualTo(at("2026-11-24T09:05:00Z"));
        assertThat(next("10/25 * * * *", "2026-11-23T10:36:00Z")).isEqualTo(at("2026-11-23T11:10:00Z"));
        assertThat(next("0 0 1 jan *", "2026-11-23T10:00:00Z")).isEqualTo(at("2027-01-01T00:00:00Z"));
        assertThat(next("0 12 last * *", "2026-02-03T00:00:00Z")).isEqualTo(at("2026-02-28T12:00:00Z"));
    }

    @Test
    void weekdaysCountFromMondayAsInDstack() {
        // 2026-11-23 is a Monday.
        assertThat(next("0 8 * * mon-fri", "2026-11-21T09:00:00Z")).isEqualTo(at("2026-11-23T08:00:00Z"));
        assertThat(next("0 8 * * 0", "2026-11-21T09:00:00Z")).isEqualTo(at("2026-11-23T08:00:00Z"));
        assertThat(next("0 8 * * 6", "2026-11-23T09:00:00Z")).isEqualTo(at("2026-11-29T08:00:00Z"));
        // Day and weekday must both match: the next Friday the 13th.
        assertThat(next("0 0 13 * fri", "2026-11-23T00:00:00Z")).isEqualTo(at("2027-08-13T00:00:00Z"));
    }

    @Test
    void anImpossibleDateNeverFires() {
        assertThat(next("0 0 30 feb *", "2026-11-23T00:00:00Z")).isNull();
    }

    @Test
    void badExpressionsSayWhatIsWrong() {
        assertThatThrownBy(() -> CronSchedule.parse("every hour"))
                .hasMessage("Invalid cron expression 'every hour': wrong number of fields; got 2, expected 5"
                        + " (minute hour day month day_of_week)");
        assertThatThrownBy(() -> CronSchedule.parse("61 * * * *")).hasMessageContaining("\"61\" is outside 0..59 in field \"minute\"");
        assertThatThrownBy(() -> CronSchedule.parse("* * * * funday")).hasMessageContaining("\"funday\" for field \"day_of_week\"");
        assertThatThrownBy(() -> CronSchedule.parse("5-1 * * * *")).hasMessageContaining("starts after it ends");
        assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * *")).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> CronSchedule.parse("")).hasMessageContaining("got 0, expected 5");
    }
}
