package ai.dstack.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A description of a JSON reply: which fields must be there and with which JSON types. Fields not described may be
 * there too (dstack's clients ignore extra fields); described ones must be present, nulls included, because
 * dstack's server writes every field.
 */
final class Shape {
    private final String name;
    private final Predicate<JsonNode> accepts;
    private final Map<String, Shape> fields;
    private final Shape items;
    private final boolean nullable;

    private Shape(String name, Predicate<JsonNode> accepts, Map<String, Shape> fields, Shape items, boolean nullable) {
        this.name = name;
        this.accepts = accepts;
        this.fields = fields;
        this.items = items;
        this.nullable = nullable;
    }

    static final Shape STRING = scalar("string", JsonNode::isTextual);
    static final Shape BOOLEAN = scalar("boolean", JsonNode::isBoolean);
    static final Shape INTEGER = scalar("integer", JsonNode::isIntegralNumber);
    static final Shape NUMBER = scalar("number", JsonNode::isNumber);
    static final Shape UUID_TEXT = scalar("uuid", n -> n.isTextual() && parses(() -> UUID.fromString(n.asText())));
    /** dstack's datetimes: ISO-8601 UTC with a Z. */
    static final Shape DATETIME = scalar("datetime", n -> n.isTextual() && n.asText().endsWith("Z")
            && parses(() -> Instant.parse(n.asText())));
    static final Shape ANY_OBJECT = scalar("object", JsonNode::isObject);
    static final Shape ANY = scalar("any", n -> true);

    static Shape scalar(String name, Predicate<JsonNode> accepts) {
        return new Shape(name, accepts, Map.of(), null, false);
    }

    static Shape oneOf(String... values) {
        List<String> allowed = List.of(values);
        return scalar("one of " + allowed, n -> n.isTextual() && allowed.contains(n.asText()));
    }

    static Shape object(String name) {
        return new Shape(name, JsonNode::isObject, new LinkedHashMap<>(), null, false);
    }

    static Shape arrayOf(Shape items) {
        return new Shape("array of " + items.name, JsonNode::isArray, Map.of(), items, false);
    }

    /** Adds a field that must be present with this shape. */
    Shape with(String field, Shape shape) {
        Map<String, Shape> more = new LinkedHashMap<>(fields);
        more.put(field, shape);
        return new Shape(name, accepts, more, items, nullable);
    }

    /** This shape, or JSON null. */
    Shape orNull() {
        return new Shape(name + " or null", accepts, fields, items, true);
    }

    /** Every mismatch between the value and this shape, each naming its path; empty when it fits. */
    List<String> check(JsonNode value) {
        List<String> problems = new ArrayList<>();
        check(value, "$", problems);
        return problems;
    }

    private void check(JsonNode value, String path, List<String> problems) {
        if (value == null || value.isMissingNode()) {
            problems.add(path + ": missing (" + name + ")");
            return;
        }
        if (value.isNull()) {
            if (!nullable) {
                problems.add(path + ": null, expected " + name);
            }
            return;
        }
        if (!accepts.test(value)) {
            problems.add(path + ": " + abbreviate(value) + " is not " + name);
            return;
        }
        fields.forEach((field, shape) -> shape.check(value.get(field), path + "." + field, problems));
        if (items != null) {
            for (int i = 0; i < value.size(); i++) {
                items.check(value.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static String abbreviate(JsonNode value) {
        String text = value.toString();
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private static boolean parses(Runnable parse) {
        try {
            parse.run();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
