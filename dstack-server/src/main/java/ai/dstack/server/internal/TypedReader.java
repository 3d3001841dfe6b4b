package ai.dstack.server.internal;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.DstackException;
import ai.dstack.api.ValidationError;
import ai.dstack.api.json.DstackJson;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads a part of a request into one of dstack's API types with {@link DstackJson}, and turns what goes wrong into
 * pydantic-style problems at the right location: Jackson's path for type mismatches and missing fields, and the
 * configuration parser's own locations for configurations.
 */
final class TypedReader {
    private TypedReader() {}

    static <T> T read(JsonNode value, Class<T> type, List<Object> loc, Problems problems) {
        try {
            return DstackJson.mapper().treeToValue(value, type);
        } catch (JsonMappingException e) {
            report(e, loc, value, problems);
            return null;
        } catch (ConfigurationException e) {
            configuration(e, loc, problems);
            return null;
        } catch (DstackException | IllegalArgumentException | NullPointerException e) {
            problems.add(loc, "value_error", "Value error, " + e.getMessage(), value);
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            problems.add(loc, "value_error", "Value error, " + e.getOriginalMessage(), value);
            return null;
        }
    }

    private static void report(JsonMappingException e, List<Object> loc, JsonNode root, Problems problems) {
        List<Object> at = new ArrayList<>(loc);
        for (JsonMappingException.Reference ref : e.getPath()) {
            at.add(ref.getFieldName() != null ? ref.getFieldName() : ref.getIndex());
        }
        ConfigurationException configuration = find(e, ConfigurationException.class);
        if (configuration != null) {
            configuration(configuration, at, problems);
            return;
        }
        JsonNode input = at(root, at.subList(loc.size(), at.size()));
        if (e instanceof InvalidTypeIdException typeId) {
            String tag = typeId.getTypeId();
            if (tag == null) {
                problems.add(at, "union_tag_not_found", "Unable to extract tag using discriminator '"
                        + discriminator(typeId) + "'", input);
            } else {
                problems.add(at, "union_tag_invalid", "Input tag '" + tag + "' found using '" + discriminator(typeId)
                        + "' does not match any of the expected tags", input);
            }
            return;
        }
        if (e instanceof ValueInstantiationException) {
            Throwable cause = e.getCause();
            String message = cause == null ? e.getOriginalMessage() : cause.getMessage();
            if (cause instanceof NullPointerException && message != null && message.endsWith(" is null")) {
                String field = snake(message.substring(0, message.length() - " is null".length()));
                at.add(field);
                problems.add(at, "missing", "Field required", input);
            } else {
                problems.add(at, "value_error", "Value error, " + message, input);
            }
            return;
        }
        if (e instanceof MismatchedInputException mismatch) {
            problems.add(at, typeName(mismatch.getTargetType()), expectation(mismatch.getTargetType()), input);
            return;
        }
        DstackException dstack = find(e, DstackException.class);
        problems.add(at, "value_error", "Value error, " + (dstack != null ? dstack.getMessage() : e.getOriginalMessage()), input);
    }

    private static void configuration(ConfigurationException e, List<Object> loc, Problems problems) {
        for (ValidationError error : e.errors()) {
            List<Object> at = new ArrayList<>(loc);
            if (!error.loc().isEmpty()) {
                for (String part : error.loc().split("\\.")) {
                    at.add(part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Integer.valueOf(part) : part);
                }
            }
            problems.add(at, "value_error", error.message(), null);
        }
    }

    private static String discriminator(InvalidTypeIdException e) {
        String message = e.getOriginalMessage();
        int start = message.indexOf("type id property '");
        if (start >= 0) {
            int from = start + "type id property '".length();
            int end = message.indexOf('\'', from);
            if (end > from) {
                return message.substring(from, end);
            }
        }
        return "type";
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "value_error";
        }
        if (type == String.class) {
            return "string_type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "int_type";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "bool_type";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "float_type";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "list_type";
        }
        if (type == UUID.class) {
            return "uuid_parsing";
        }
        if (type == Instant.class) {
            return "datetime_parsing";
        }
        if (type.isEnum()) {
            return "enum";
        }
        return Map.class.isAssignableFrom(type) ? "dict_type" : "model_attributes_type";
    }

    private static String expectation(Class<?> type) {
        return switch (typeName(type)) {
            case "string_type" -> "Input should be a valid string";
            case "int_type" -> "Input should be a valid integer";
            case "bool_type" -> "Input should be a valid boolean";
            case "float_type" -> "Input should be a valid number";
            case "list_type" -> "Input should be a valid list";
            case "uuid_parsing" -> "Input should be a valid UUID";
            case "datetime_parsing" -> "Input should be a valid datetime";
            case "enum" -> "Input should be one of " + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(java.util.Locale.ROOT);
            case "dict_type" -> "Input should be a valid dictionary";
            case "value_error" -> "Value error";
            default -> "Input should be a valid dictionary or object to extract fields from";
        };
    }

    private static JsonNode at(JsonNode root, List<Object> path) {
        JsonNode node = root;
        for (Object part : path) {
            if (node == null) {
                return null;
            }
            node = part instanceof Integer index ? node.get(index) : node.get(String.valueOf(part));
        }
        return node;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static <X extends Throwable> X find(Throwable e, Class<X> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
