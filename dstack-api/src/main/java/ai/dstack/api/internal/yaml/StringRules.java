package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.ValueParser;

import java.util.regex.Pattern;

/** pydantic's string constraints ({@code min_length}, {@code max_length}, {@code pattern}) with pydantic's messages. */
final class StringRules {
    private StringRules() {}

    /**
     * A string of {@code min..max} characters (either may be null) matching {@code pattern} (may be null).
     * {@code shownPattern} is the pattern as dstack writes it; {@code pattern} the Java equivalent of its
     * Rust-regex meaning ({@code $} is the very end, {@code \s} is Unicode).
     */
    static ValueParser<String> constrained(Integer min, Integer max, String shownPattern, Pattern pattern) {
        return (ctx, value, loc) -> {
            String s = Coerce.string(ctx, value, loc);
            if (s == null) {
                return null;
            }
            int length = s.codePointCount(0, s.length());
            if (min != null && length < min) {
                ctx.error(loc, value, "String should have at least " + min + " character" + (min == 1 ? "" : "s"));
                return null;
            }
            if (max != null && length > max) {
                ctx.error(loc, value, "String should have at most " + max + " character" + (max == 1 ? "" : "s"));
                return null;
            }
            if (pattern != null && !pattern.matcher(s).find()) {
                ctx.error(loc, value, "String should match pattern '" + shownPattern + "'");
                return null;
            }
            return s;
        };
    }

    /** Python's {@code str.isprintable()}: no control, format, private-use, unassigned or separator characters but space. */
    static boolean isPrintable(String s) {
        return s.codePoints().allMatch(c -> {
            if (c == ' ') {
                return true;
            }
            return switch (Character.getType(c)) {
                case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                        Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                        Character.SPACE_SEPARATOR -> false;
                default -> true;
            };
        });
    }
}
