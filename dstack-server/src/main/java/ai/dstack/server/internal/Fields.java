package ai.dstack.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Reads the fields of one JSON object of a request the way pydantic (lax mode) does: numbers in strings count as
 * numbers, {@code "yes"} as true, and every problem is collected with its location ({@code ["body", "limit"]}) for
 * one 422 reply. Fields nobody asked for are reported to {@link UnknownFields} (dstack would refuse them; this
 * server accepts them and logs each once).
 *
 * <p>Getters return a default after recording a problem, so a handler reads all its fields and then calls
 * {@link #done()}, which throws when anything was wrong.
 */
final class Fields {
    private static final Pattern UUID_TEXT = Pattern.compile(
            "^(urn:uuid:)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$");
    private static final Set<String> TRUE = Set.of("1", "on", "t", "true", "y", "yes");
    private static final Set<String> FALSE = Set.of("0", "off", "f", "false", "n", "no");

    private final JsonNode object;
    private final List<Object> loc;
    private final Problems problems;
    private final UnknownFields unknown;
    private final String route;
    private final Set<String> read = new HashSet<>();
    private final List<Fields> children = new ArrayList<>();

    Fields(JsonNode object, List<Object> loc, Problems problems, UnknownFields unknown, String route) {
        this.object = object;
        this.loc = List.copyOf(loc);
        this.problems = problems;
        this.unknown = unknown;
        this.route = route;
    }

    /** Throws the 422 for every problem found so far, and reports fields no handler read. */
    void done() {
        reportUnknown();
        problems.throwIfAny();
    }

    private void reportUnknown() {
        if (object != null && object.isObject()) {
            object.fieldNames().forEachRemaining(name -> {
                if (!read.contains(name)) {
                    unknown.report(route, loc.subList(1, loc.size()), name);
                }
            });
        }
        children.forEach(Fields::reportUnknown);
    }

    Problems problems() {
        return problems;
    }

    List<Object> loc(Object... more) {
        List<Object> path = new ArrayList<>(loc);
        path.addAll(List.of(more));
        return path;
    }

    /** The raw value, or null when the field is absent or JSON null. */
    JsonNode raw(String name) {
        read.add(name);
        JsonNode value = object == null ? null : object.get(name);
        return value == null || value.isNull() ? null : value;
    }

    boolean has(String name) {
        return raw(name) != null;
    }

    /** The whole object, every field marked as read: for bodies validated elsewhere (backend configurations). */
    JsonNode whole() {
        if (object != null && object.isObject()) {
            object.fieldNames().forEachRemaining(read::add);
        }
        return object;
    }

    private void missing(String name) {
        problems.add(loc(name), "missing", "Field required", object);
    }

    // strings

    String string(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            missing(name);
            return "";
        }
        return text(value, loc(name));
    }

    String optString(String name) {
        JsonNode value = raw(name);
        return value == null ? null : text(value, loc(name));
    }

    /** An optional string that must match {@code pattern} (pydantic's {@code pattern=}). */
    String optString(String name, Pattern pattern) {
        String value = optString(name);
        if (value != null && !pattern.matcher(value).find()) {
            problems.add(loc(name), "string_pattern_mismatch", "String should match pattern '" + pattern.pattern() + "'",
                    raw(name), Problems.ctx("pattern", pattern.pattern()));
        }
        return value;
    }

    private String text(JsonNode value, List<Object> at) {
        if (!value.isTextual()) {
            problems.add(at, "string_type", "Input should be a valid string", value);
            return "";
        }
        return value.asText();
    }

    // booleans

    boolean bool(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            missing(name);
            return false;
        }
        Boolean parsed = bool(value, loc(name));
        return parsed != null && parsed;
    }

    boolean bool(String name, boolean defaultValue) {
        JsonNode value = raw(name);
        if (value == null) {
            return defaultValue;
        }
        Boolean parsed = bool(value, loc(name));
        return parsed == null ? defaultValue : parsed;
    }

    /** A nullable boolean: null when absent. */
    Boolean optBool(String name) {
        JsonNode value = raw(name);
        return value == null ? null : bool(value, loc(name));
    }

    private Boolean bool(JsonNode value, List<Object> at) {
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isIntegralNumber() && (value.asLong() == 0 || value.asLong() == 1)) {
            return value.asLong() == 1;
        }
        if (value.isTextual()) {
            String text = value.asText().trim().toLowerCase(Locale.ROOT);
            if (TRUE.contains(text)) {
                return true;
            }
            if (FALSE.contains(text)) {
                return false;
            }
            problems.add(at, "bool_parsing", "Input should be a valid boolean, unable to interpret input", value);
            return null;
        }
        problems.add(at, "bool_type", "Input should be a valid boolean", value);
        return null;
    }

    // integers

    int integer(String name, int defaultValue, Integer min, Integer max) {
        Integer value = optInteger(name, min, max);
        return value == null ? defaultValue : value;
    }

    int integer(String name) {
        if (raw(name) == null) {
            missing(name);
            return 0;
        }
        Integer value = optInteger(name, null, null);
        return value == null ? 0 : value;
    }

    Integer optInteger(String name, Integer min, Integer max) {
        JsonNode value = raw(name);
        if (value == null) {
            return null;
        }
        return integer(value, loc(name), min, max);
    }

    private Integer integer(JsonNode value, List<Object> at, Integer min, Integer max) {
        Long parsed = null;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            parsed = value.asLong();
        } else if (value.isNumber()) {
            double d = value.asDouble();
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9e15) {
                parsed = (long) d;
            } else {
                problems.add(at, "int_from_float", "Input should be a valid integer, got a number with a fractional part", value);
                return null;
            }
        } else if (value.isBoolean()) {
            parsed = value.booleanValue() ? 1L : 0L;
        } else if (value.isTextual()) {
            String text = value.asText().trim().replace("_", "");
            try {
                parsed = Long.parseLong(text);
            } catch (NumberFormatException e) {
                problems.add(at, "int_parsing", "Input should be a valid integer, unable to parse string as an integer", value);
                return null;
            }
        } else {
            problems.add(at, "int_type", "Input should be a valid integer", value);
            return null;
        }
        if (min != null && parsed < min) {
            problems.add(at, "greater_than_equal", "Input should be greater than or equal to " + min, value,
                    Problems.ctx("ge", min));
            return null;
        }
        if (max != null && parsed > max) {
            problems.add(at, "less_than_equal", "Input should be less than or equal to " + max, value,
                    Problems.ctx("le", max));
            return null;
        }
        if (parsed > Integer.MAX_VALUE || parsed < Integer.MIN_VALUE) {
            problems.add(at, "int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size", value);
            return null;
        }
        return parsed.intValue();
    }

    // uuids and datetimes

    UUID uuid(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            missing(name);
            return null;
        }
        return uuid(value, loc(name));
    }

    UUID optUuid(String name) {
        JsonNode value = raw(name);
        return value == null ? null : uuid(value, loc(name));
    }

    private UUID uuid(JsonNode value, List<Object> at) {
        if (!value.isTextual()) {
            problems.add(at, "uuid_type", "UUID input should be a string, bytes or UUID object", value);
            return null;
        }
        String text = value.asText().trim();
        if (!UUID_TEXT.matcher(text).matches()) {
            problems.add(at, "uuid_parsing", "Input should be a valid UUID, unable to parse string as a UUID", value);
            return null;
        }
        String hex = text.replace("urn:uuid:", "").replace("-", "");
        return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
    }

    Instant optInstant(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            return null;
        }
        if (!value.isTextual() && !value.isNumber()) {
            problems.add(loc(name), "datetime_type", "Input should be a valid datetime", value);
            return null;
        }
        try {
            return ai.dstack.api.json.DstackJson.mapper().treeToValue(value, Instant.class);
        } catch (Exception e) {
            problems.add(loc(name), "datetime_from_date_parsing",
                    "Input should be a valid datetime or date, invalid character in date", value);
            return null;
        }
    }

    // lists

    List<String> strings(String name) {
        return list(name, true, this::text);
    }

    List<String> optStrings(String name) {
        return list(name, false, this::text);
    }

    List<Integer> integers(String name) {
        return list(name, true, (value, at) -> integer(value, at, null, null));
    }

    List<UUID> optUuids(String name) {
        return list(name, false, this::uuid);
    }

    /** A list of objects, each read by its own {@link Fields}. */
    List<Fields> objects(String name) {
        return list(name, true, (value, at) -> {
            if (!value.isObject()) {
                problems.add(at, "model_attributes_type",
                        "Input should be a valid dictionary or object to extract fields from", value);
                return null;
            }
            return child(value, at);
        });
    }

    private <T> List<T> list(String name, boolean required, BiFunction<JsonNode, List<Object>, T> element) {
        JsonNode value = raw(name);
        if (value == null) {
            if (required) {
                missing(name);
                return List.of();
            }
            return null;
        }
        if (!value.isArray()) {
            problems.add(loc(name), "list_type", "Input should be a valid list", value);
            return required ? List.of() : null;
        }
        List<T> items = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            T parsed = element.apply(value.get(i), loc(name, i));
            if (parsed != null) {
                items.add(parsed);
            }
        }
        return items;
    }

    // enums and objects

    /** One of dstack's enum values, e.g. a role. */
    <E> E choice(String name, Map<String, E> values) {
        JsonNode value = raw(name);
        if (value == null) {
            missing(name);
            return null;
        }
        E parsed = value.isTextual() ? values.get(value.asText()) : null;
        if (parsed == null) {
            String expected = expected(List.copyOf(values.keySet()));
            problems.add(loc(name), "enum", "Input should be " + expected, value, Problems.ctx("expected", expected));
        }
        return parsed;
    }

    /** pydantic's list of choices: {@code 'a', 'b' or 'c'}. */
    private static String expected(List<String> values) {
        List<String> sorted = values.stream().sorted().map(v -> "'" + v + "'").toList();
        if (sorted.size() == 1) {
            return sorted.get(0);
        }
        return String.join(", ", sorted.subList(0, sorted.size() - 1)) + " or " + sorted.get(sorted.size() - 1);
    }

    /** A required nested object. */
    Fields object(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            missing(name);
            return child(null, loc(name));
        }
        if (!value.isObject()) {
            problems.add(loc(name), "model_attributes_type",
                    "Input should be a valid dictionary or object to extract fields from", value);
            return child(null, loc(name));
        }
        return child(value, loc(name));
    }

    /** A required object whose contents this server does not read (so none of its fields is reported unknown). */
    void opaqueObject(String name) {
        JsonNode value = raw(name);
        if (value == null) {
            missing(name);
        } else if (!value.isObject()) {
            problems.add(loc(name), "model_attributes_type",
                    "Input should be a valid dictionary or object to extract fields from", value);
        }
    }

    /** A required UUID of version 4 (pydantic's {@code UUID4}). */
    UUID uuid4(String name) {
        UUID value = uuid(name);
        if (value != null && value.version() != 4) {
            problems.add(loc(name), "uuid_version", "UUID version 4 expected", raw(name), Problems.ctx("expected_version", 4));
            return null;
        }
        return value;
    }

    private Fields child(JsonNode value, List<Object> at) {
        Fields child = new Fields(value, at, problems, unknown, route);
        children.add(child);
        return child;
    }

    JsonNode node() {
        return object;
    }

    /** A field read by Jackson into one of dstack's API types, problems mapped to this request's locations. */
    <T> T typed(String name, Class<T> type, boolean required) {
        JsonNode value = raw(name);
        if (value == null) {
            if (required) {
                missing(name);
            }
            return null;
        }
        return TypedReader.read(value, type, loc(name), problems);
    }

    static ObjectNode emptyObject() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
}
