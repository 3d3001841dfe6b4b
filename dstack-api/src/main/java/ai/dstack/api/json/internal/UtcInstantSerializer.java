package ai.dstack.api.json.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes an {@link Instant} the way dstack's server (pydantic-core) does: UTC with a {@code Z} suffix and six
 * fractional digits only when the microseconds are not zero. Nanoseconds below a microsecond are dropped.
 */
public final class UtcInstantSerializer extends StdSerializer<Instant> {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    /** Years 0000 to 9999, which the pattern writes as four digits without a sign. */
    private static final long FIRST_SECOND = LocalDate.of(0, 1, 1).toEpochDay() * 86_400L;
    private static final long LAST_SECOND = (LocalDate.of(9999, 12, 31).toEpochDay() + 1) * 86_400L - 1;

    public UtcInstantSerializer() {
        super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(format(value));
    }

    public static String format(Instant value) {
        long epochSecond = value.getEpochSecond();
        int micros = value.getNano() / 1_000;
        if (epochSecond < FIRST_SECOND || epochSecond > LAST_SECOND) {
            String seconds = SECONDS.format(value); // a year of more or fewer than four digits: the formatter's signs
            return micros == 0 ? seconds + "Z" : String.format("%s.%06dZ", seconds, micros);
        }
        // Digits written by hand: a page of runs/list writes about a thousand instants, and DateTimeFormatter with
        // String.format were a sixth of its CPU.
        long day = Math.floorDiv(epochSecond, 86_400L);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
        LocalDate date = LocalDate.ofEpochDay(day);
        char[] text = new char[micros == 0 ? 20 : 27];
        digits(text, 0, date.getYear(), 4);
        text[4] = '-';
        digits(text, 5, date.getMonthValue(), 2);
        text[7] = '-';
        digits(text, 8, date.getDayOfMonth(), 2);
        text[10] = 'T';
        digits(text, 11, secondOfDay / 3600, 2);
        text[13] = ':';
        digits(text, 14, secondOfDay / 60 % 60, 2);
        text[16] = ':';
        digits(text, 17, secondOfDay % 60, 2);
        if (micros != 0) {
            text[19] = '.';
            digits(text, 20, micros, 6);
        }
        text[text.length - 1] = 'Z';
        return new String(text);
    }

    private static void digits(char[] text, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            text[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
