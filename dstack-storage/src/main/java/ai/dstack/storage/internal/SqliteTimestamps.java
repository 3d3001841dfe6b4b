package ai.dstack.storage.internal;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * SQLite's timestamp text, {@code yyyy-MM-dd HH:mm:ss.SSSSSS} in UTC (dstack's layout). Every row read maps several
 * of them, so the exact layout is parsed by hand; anything else (a row written by another tool) goes through the
 * formatter, which also reports malformed text.
 */
final class SqliteTimestamps {
    static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final int LENGTH = "yyyy-MM-dd HH:mm:ss.SSSSSS".length();

    private SqliteTimestamps() {}

    static String format(Instant value) {
        return FORMAT.format(LocalDateTime.ofInstant(value, ZoneOffset.UTC));
    }

    static Instant parse(String text) {
        if (text.length() == LENGTH && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == ' '
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.') {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int micros = digits(text, 20, 26);
            if ((year | month | day | hour | minute | second | micros) >= 0) {
                // LocalDateTime.of validates the fields (month 13, February 30) as the formatter would.
                return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000).toInstant(ZoneOffset.UTC);
            }
        }
        return LocalDateTime.parse(text, FORMAT).toInstant(ZoneOffset.UTC);
    }

    /** The decimal number in {@code text[from, to)}, or -1 if a character is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            int digit = text.charAt(i) - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }
}
