package ai.dstack.api.yaml.reading;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * pydantic v2's lax-mode coercions for the scalar, list and dict types that dstack's models use, with pydantic's
 * messages: {@code "8"} is an int, {@code 2.0} is an int but {@code 2.5} is not, {@code yes} is a bool, and numbers
 * reach string fields as text (dstack sets {@code coerce_numbers_to_str}).
 */
public final class Coerce {
    private static final Set<String> TRUE_WORDS = Set.of("1", "on", "t", "true", "y", "yes");
    private static final Set<String> FALSE_WORDS = Set.of("0", "off", "f", "false", "n", "no");
    private static final Pattern INT_TEXT = Pattern.compile("[-+]?[0-9](_?[0-9])*");
    private static final Pattern INT_WITH_ZERO_FRACTION = Pattern.compile("[-+]?[0-9](_?[0-9])*\\.0+");
    private static final Pattern FLOAT_TEXT = Pattern.compile(
            "[-+]?(([0-9](_?[0-9])*)?\\.?[0-9](_?[0-9])*([eE][-+]?[0-9]+)?|[0-9](_?[0-9])*\\.|inf|infinity|nan)",
            Pattern.CASE_INSENSITIVE);

    private Coerce() {}

    public static Object scalar(YamlValue value) {
        return value instanceof YamlValue.Scalar s ? s.value() : value;
    }

    public static String string(ReadContext ctx, YamlValue value, String loc) {
        Object v = scalar(value);
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Number n) {
            return PythonText.str(n);
        }
        ctx.error(loc, value, "Input should be a valid string");
        return null;
    }

    public static Integer integer(ReadContext ctx, YamlValue value, String loc) {
        Long v = longValue(ctx, value, loc);
        if (v == null) {
            return null;
        }
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            ctx.error(loc, value, "Input should be a valid integer, the number is too large");
            return null;
        }
        return v.intValue();
    }

    public static Long longValue(ReadContext ctx, YamlValue value, String loc) {
        Object v = scalar(value);
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof BigInteger) {
            ctx.error(loc, value, "Input should be a valid integer, the number is too large");
            return null;
        }
        if (v instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (v instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) {
                ctx.error(loc, value, "Input should be a finite number");
                return null;
            }
            if (d != Math.rint(d)) {
                ctx.error(loc, value, "Input should be a valid integer, got a number with a fractional part");
                return null;
            }
            if (Math.abs(d) > 9.0e18) {
                ctx.error(loc, value, "Input should be a valid integer, the number is too large");
                return null;
            }
            return d.longValue();
        }
        if (v instanceof String s) {
            String text = s.strip();
            if (INT_TEXT.matcher(text).matches()) {
                try {
                    return Long.parseLong(text.replace("_", "").replace("+", ""));
                } catch (NumberFormatException e) {
                    ctx.error(loc, value, "Input should be a valid integer, the number is too large");
                    return null;
                }
            }
            if (INT_WITH_ZERO_FRACTION.matcher(text).matches()) {
                return longValue(ctx, new YamlValue.Scalar(text.substring(0, text.indexOf('.')), value.line(), value.column()), loc);
            }
            ctx.error(loc, value, "Input should be a valid integer, unable to parse string as an integer");
            return null;
        }
        ctx.error(loc, value, "Input should be a valid integer");
        return null;
    }

    public static Double number(ReadContext ctx, YamlValue value, String loc) {
        Object v = scalar(value);
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l.doubleValue();
        }
        if (v instanceof BigInteger b) {
            return new BigDecimal(b).doubleValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1.0 : 0.0;
        }
        if (v instanceof String s) {
            Double parsed = pythonFloat(s);
            if (parsed != null) {
                return parsed;
            }
            ctx.error(loc, value, "Input should be a valid number, unable to parse string as a number");
            return null;
        }
        ctx.error(loc, value, "Input should be a valid number");
        return null;
    }

    /** Python's {@code float(str)}, or null when Python would raise. */
    public static Double pythonFloat(String text) {
        String t = text.strip();
        if (!FLOAT_TEXT.matcher(t).matches()) {
            return null;
        }
        String lower = t.toLowerCase().replace("_", "");
        if (lower.endsWith("inf") || lower.endsWith("infinity")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (lower.endsWith("nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(lower);
    }

    public static Boolean bool(ReadContext ctx, YamlValue value, String loc) {
        Object v = scalar(value);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l && (l == 0 || l == 1)) {
            return l == 1;
        }
        if (v instanceof Double d && (d == 0.0 || d == 1.0)) {
            return d == 1.0;
        }
        if (v instanceof String s) {
            String word = s.strip().toLowerCase();
            if (TRUE_WORDS.contains(word)) {
                return true;
            }
            if (FALSE_WORDS.contains(word)) {
                return false;
            }
            ctx.error(loc, value, "Input should be a valid boolean, unable to interpret input");
            return null;
        }
        if (v instanceof Long || v instanceof Double) {
            ctx.error(loc, value, "Input should be a valid boolean, unable to interpret input");
            return null;
        }
        ctx.error(loc, value, "Input should be a valid boolean");
        return null;
    }

    /** A string enum: the input must be one of the values exactly, as pydantic's Literal and str-Enum require. */
    public static <E> ValueParser<E> oneOf(List<String> wireValues, Function<String, E> fromWire) {
        return (ctx, value, loc) -> {
            if (scalar(value) instanceof String s && wireValues.contains(s)) {
                return fromWire.apply(s);
            }
            ctx.error(loc, value, "Input should be " + expected(wireValues));
            return null;
        };
    }

    /** pydantic's "'a', 'b' or 'c'". */
    public static String expected(List<String> wireValues) {
        List<String> quoted = new ArrayList<>();
        for (String w : wireValues) {
            quoted.add("'" + w + "'");
        }
        if (quoted.size() == 1) {
            return quoted.get(0);
        }
        return String.join(", ", quoted.subList(0, quoted.size() - 1)) + " or " + quoted.get(quoted.size() - 1);
    }

    /** A list whose items all parse; null (with the items' errors) otherwise. */
    public static <T> ValueParser<List<T>> listOf(ValueParser<T> item) {
        return (ctx, value, loc) -> {
            if (!(value instanceof YamlValue.Sequence seq)) {
                ctx.error(loc, value, "Input should be a valid list");
                return null;
            }
            int mark = ctx.mark();
            List<T> out = new ArrayList<>(seq.items().size());
            for (int i = 0; i < seq.items().size(); i++) {
                out.add(item.parse(ctx, seq.items().get(i), ReadContext.child(loc, i)));
            }
            return ctx.cleanSince(mark) ? Collections.unmodifiableList(out) : null;
        };
    }

    /** A dict with string keys; numbers used as keys become text as they do in dstack. */
    public static <T> ValueParser<Map<String, T>> mapOf(ValueParser<T> valueParser) {
        return (ctx, value, loc) -> {
            if (!(value instanceof YamlValue.Mapping map)) {
                ctx.error(loc, value, "Input should be a valid dictionary");
                return null;
            }
            int mark = ctx.mark();
            Map<String, T> out = new LinkedHashMap<>();
            map.entries().forEach((key, v) -> out.put(key, valueParser.parse(ctx, v, ReadContext.child(loc, key))));
            return ctx.cleanSince(mark) ? Collections.unmodifiableMap(out) : null;
        };
    }

    /** Adds bounds to a parsed number, with pydantic's messages. */
    public static <N extends Number> ValueParser<N> bounded(ValueParser<N> parser, Double ge, Double gt, Double le) {
        return (ctx, value, loc) -> {
            N n = parser.parse(ctx, value, loc);
            if (n == null) {
                return null;
            }
            double d = n.doubleValue();
            if (ge != null && !(d >= ge)) {
                ctx.error(loc, value, "Input should be greater than or equal to " + bound(ge));
                return null;
            }
            if (gt != null && !(d > gt)) {
                ctx.error(loc, value, "Input should be greater than " + bound(gt));
                return null;
            }
            if (le != null && !(d <= le)) {
                ctx.error(loc, value, "Input should be less than or equal to " + bound(le));
                return null;
            }
            return n;
        };
    }

    private static String bound(double b) {
        return b == Math.rint(b) && Math.abs(b) < 1e15 ? Long.toString((long) b) : PythonText.floatRepr(b);
    }

    /** A string matching a pattern, with pydantic's message. */
    public static ValueParser<String> pattern(String regex) {
        Pattern compiled = Pattern.compile(regex);
        return (ctx, value, loc) -> {
            String s = string(ctx, value, loc);
            if (s == null) {
                return null;
            }
            if (!compiled.matcher(s).find()) {
                ctx.error(loc, value, "String should match pattern '" + regex + "'");
                return null;
            }
            return s;
        };
    }
}
