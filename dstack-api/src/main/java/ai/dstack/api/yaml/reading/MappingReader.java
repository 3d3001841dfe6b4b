package ai.dstack.api.yaml.reading;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads the fields of one mapping the way a pydantic model with {@code extra="forbid"} does: each field is
 * taken once, absent fields get their defaults, and {@link #finish()} reports every field nobody took.
 */
public final class MappingReader {
    private final ReadContext ctx;
    private final YamlValue.Mapping map;
    private final String loc;
    private final Set<String> taken = new LinkedHashSet<>();

    private MappingReader(ReadContext ctx, YamlValue.Mapping map, String loc) {
        this.ctx = ctx;
        this.map = map;
        this.loc = loc;
    }

    /** A reader over {@code value}, or null (with an error) when it is not a mapping. */
    public static MappingReader of(ReadContext ctx, YamlValue value, String loc) {
        if (value instanceof YamlValue.Mapping map) {
            return new MappingReader(ctx, map, loc);
        }
        ctx.error(loc, value, "Input should be a valid dictionary or object to extract fields from");
        return null;
    }

    public ReadContext ctx() {
        return ctx;
    }

    public String loc() {
        return loc;
    }

    public YamlValue.Mapping value() {
        return map;
    }

    public String loc(String key) {
        return ReadContext.child(loc, key);
    }

    public boolean has(String key) {
        return map.entries().containsKey(key);
    }

    /** The raw value of a field (marking it as known), or null when absent. */
    public YamlValue raw(String key) {
        taken.add(key);
        return map.entries().get(key);
    }

    /** An {@code Optional[...] = None} field: absent or null gives null. */
    public <T> T opt(String key, ValueParser<T> parser) {
        YamlValue v = raw(key);
        if (v == null || v.isNullScalar()) {
            return null;
        }
        return parser.parse(ctx, v, loc(key));
    }

    /** A field with a default: absent gives the default; an explicit null is checked by the parser. */
    public <T> T get(String key, ValueParser<T> parser, T defaultValue) {
        YamlValue v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        return parser.parse(ctx, v, loc(key));
    }

    /** A required field: absent gives {@code Field required}. */
    public <T> T req(String key, ValueParser<T> parser) {
        YamlValue v = raw(key);
        if (v == null) {
            ctx.error(loc(key), map, "Field required");
            return null;
        }
        return parser.parse(ctx, v, loc(key));
    }

    /** Marks fields as known without reading them (read elsewhere, or ignored on purpose). */
    public void accept(String... keys) {
        taken.addAll(java.util.List.of(keys));
    }

    /** Reports each field that no reader took, suggesting the closest known one. */
    public void finish() {
        for (Map.Entry<String, YamlValue> entry : map.entries().entrySet()) {
            if (!taken.contains(entry.getKey())) {
                String suggestion = Suggestions.closest(entry.getKey(), taken);
                ctx.error(loc(entry.getKey()), map.keyAt(entry.getKey()), "Extra inputs are not permitted"
                        + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)"));
            }
        }
    }
}
