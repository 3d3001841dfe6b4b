package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.PythonText;

import ai.dstack.api.configuration.OffDuration;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** dstack's durations: seconds as a number, or {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, {@code 1w}. */
public final class Durations {
    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+) *([smhdw])");

    private Durations() {}

    /** A plain {@code Duration}: seconds. */
    public static Long duration(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (v instanceof Double d && !d.isNaN() && !d.isInfinite()) {
            return (long) d.doubleValue();
        }
        if (v instanceof String s) {
            Long plain = pythonInt(s);
            if (plain != null) {
                return plain;
            }
            Matcher m = WITH_UNIT.matcher(s);
            // Python's `$` also matches before a final newline
            if (m.lookingAt() && (m.end() == s.length() || m.end() == s.length() - 1 && s.endsWith("\n"))) {
                long amount;
                try {
                    amount = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    ctx.valueError(loc, value, "Cannot parse the duration " + s);
                    return null;
                }
                long multiplier = switch (m.group(2)) {
                    case "s" -> 1;
                    case "m" -> 60;
                    case "h" -> 3600;
                    case "d" -> 24 * 3600;
                    default -> 7 * 24 * 3600;
                };
                return amount * multiplier;
            }
        }
        if (v instanceof BigInteger) {
            ctx.error(loc, value, "Input should be a valid integer, the number is too large");
            return null;
        }
        ctx.valueError(loc, value, "Cannot parse the duration " + PythonText.str(v instanceof YamlValue ? "[...]" : v));
        return null;
    }

    /** {@code max_duration} and {@code stop_duration}: {@code off}/{@code false} is off, {@code true} means unset. */
    public static OffDuration offDuration(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if ("off".equals(v) || Boolean.FALSE.equals(v)) {
            return OffDuration.OFF;
        }
        if (Boolean.TRUE.equals(v)) {
            return null;
        }
        Long seconds = duration(ctx, value, loc);
        if (seconds == null) {
            return null;
        }
        if (seconds < 0) {
            ctx.valueError(loc, value, "Duration cannot be negative");
            return null;
        }
        return OffDuration.ofSeconds(seconds);
    }

    /** {@code idle_duration}: {@code off}, {@code false} and -1 mean off (-1); {@code true} means unset. */
    public static Long idleDuration(ReadContext ctx, YamlValue value, String loc) {
        Object v = Coerce.scalar(value);
        if ("off".equals(v) || Boolean.FALSE.equals(v) || Long.valueOf(-1).equals(v)) {
            return -1L;
        }
        if (Boolean.TRUE.equals(v)) {
            return null;
        }
        return duration(ctx, value, loc);
    }

    /** Python's {@code int(str)}: surrounding blanks, a sign and underscores between digits are fine. */
    static Long pythonInt(String s) {
        String t = s.strip();
        if (!t.matches("[-+]?[0-9](_?[0-9])*")) {
            return null;
        }
        try {
            return Long.parseLong(t.replace("_", "").replace("+", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
