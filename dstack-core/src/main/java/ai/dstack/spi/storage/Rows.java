package ai.dstack.spi.storage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/** Checks shared by the row records. */
final class Rows {
    private Rows() {}

    /**
     * Timestamps are stored to the microsecond (PostgreSQL's precision, and dstack's); truncating on the way in
     * makes a row read back equal to the row written.
     */
    static Instant micros(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }

    static <T> T required(T value, String name) {
        return Objects.requireNonNull(value, () -> name + " is null");
    }
}
