package ai.dstack.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects pydantic-style validation errors ({@code {type, loc, msg, input, ctx?}}) for one request, so that a
 * reply names every bad field at once, as FastAPI's 422 does.
 */
final class Problems {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Inputs echoed back are cut to this many characters: a huge field must not make a huge error. */
    private static final int MAX_ECHO = 200;

    private final List<ObjectNode> errors = new ArrayList<>();

    void add(List<Object> loc, String type, String msg, JsonNode input) {
        add(loc, type, msg, input, null);
    }

    void add(List<Object> loc, String type, String msg, JsonNode input, ObjectNode ctx) {
        ObjectNode error = NODES.objectNode();
        error.put("type", type);
        ArrayNode path = error.putArray("loc");
        for (Object part : loc) {
            if (part instanceof Integer index) {
                path.add(index);
            } else {
                path.add(String.valueOf(part));
            }
        }
        error.put("msg", msg);
        error.set("input", echo(input));
        if (ctx != null) {
            error.set("ctx", ctx);
        }
        errors.add(error);
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Throws the 422 when anything was collected. */
    void throwIfAny() {
        if (!errors.isEmpty()) {
            throw HttpProblem.validation(errors);
        }
    }

    static ObjectNode ctx(String key, Object value) {
        ObjectNode ctx = NODES.objectNode();
        if (value instanceof Number number) {
            ctx.put(key, number.longValue());
        } else {
            ctx.put(key, String.valueOf(value));
        }
        return ctx;
    }

    private static JsonNode echo(JsonNode input) {
        if (input == null || input.isMissingNode()) {
            return NODES.nullNode();
        }
        if (input.isTextual() && input.asText().length() > MAX_ECHO) {
            return NODES.textNode(input.asText().substring(0, MAX_ECHO) + "...");
        }
        if (input.isContainerNode() && input.toString().length() > MAX_ECHO) {
            return input.isArray() ? NODES.arrayNode() : NODES.objectNode();
        }
        return input;
    }
}
