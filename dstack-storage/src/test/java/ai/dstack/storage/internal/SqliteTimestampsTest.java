package ai.dstack.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SqliteTimestampsTest {

    @Test
    void parsesWhatItFormatsAsTheFormatterDoes() {
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            Instant value = Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE), random.nextInt(1_000_000_000));
            String text = SqliteTimestamps.format(value);
            Instant expected = LocalDateTime.parse(text, SqliteTimestamps.FORMAT).toInstant(ZoneOffset.UTC);
            assertThat(SqliteTimestamps.parse(text)).isEqualTo(expected).isEqualTo(value.truncatedTo(ChronoUnit.MICROS));
        }
    }

    @Test
    void rejectsMalformedTextAndImpossibleDates() {
        assertThatThrownBy(() -> SqliteTimestamps.parse("2026-02-30 10:00:00.000000")).isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> SqliteTimestamps.parse("2026-13-01 10:00:00.000000")).isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> SqliteTimestamps.parse("2026-01-01 1x:00:00.000000")).isInstanceOf(DateTimeException.class);
        assertThatThrownBy(() -> SqliteTimestamps.parse("yesterday")).isInstanceOf(DateTimeException.class);
    }
}
