package ai.dstack.client.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in settings: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, plain seconds, or ISO-8601 ({@code PT30S}). */
final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private Durations() {}

    static Duration parse(String key, String text) {
        String value = text.strip().toLowerCase();
        Matcher simple = SIMPLE.matcher(value);
        if (simple.matches() && simple.group(1).length() <= 12) {
            long amount = Long.parseLong(simple.group(1));
            String unit = simple.group(2) == null ? "s" : simple.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        }
        try {
            Duration parsed = Duration.parse(text.strip());
            if (!parsed.isNegative()) {
                return parsed;
            }
        } catch (DateTimeParseException ignored) {
            // reported below
        }
        throw new DstackException(ErrorCode.INVALID_REQUEST, key + " must be a duration such as 500ms, 30s, 2m or PT30S, not '"
                + text + "'");
    }
}
