package ai.dstack.client.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.json.DstackJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collection;
import java.util.List;

/** Request bodies and reply parsing with dstack's wire mapper ({@link DstackJson}). */
public final class WireJson {
    private static final ObjectMapper MAPPER = DstackJson.mapper();

    private WireJson() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Any value (a model record, an {@link java.time.Instant}, a UUID) as dstack writes it. */
    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    public static ArrayNode strings(Collection<String> values) {
        ArrayNode array = MAPPER.createArrayNode();
        values.forEach(array::add);
        return array;
    }

    public static byte[] bytes(JsonNode body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a request body: " + e.getOriginalMessage(), e);
        }
    }

    public static <T> T read(byte[] reply, Class<T> type, Endpoint endpoint, String serverUrl) {
        return read(reply, MAPPER.constructType(type), endpoint, serverUrl);
    }

    public static <T> List<T> readList(byte[] reply, Class<T> element, Endpoint endpoint, String serverUrl) {
        return read(reply, MAPPER.getTypeFactory().constructCollectionType(List.class, element), endpoint, serverUrl);
    }

    /**
     * A list that older dstack versions return as a bare array and newer ones may wrap as
     * {@code {"total_count": n, "<field>": [...]}}.
     */
    public static <T> List<T> readListOrWrapped(byte[] reply, Class<T> element, String field, Endpoint endpoint,
            String serverUrl) {
        JsonNode tree = read(reply, MAPPER.constructType(JsonNode.class), endpoint, serverUrl);
        JsonNode list = tree != null && tree.isObject() ? tree.get(field) : tree;
        JavaType type = MAPPER.getTypeFactory().constructCollectionType(List.class, element);
        try {
            List<T> values = MAPPER.convertValue(list, type);
            if (values == null) {
                throw unexpected(endpoint, serverUrl, "expected a list of " + field, null);
            }
            return values;
        } catch (IllegalArgumentException e) {
            throw unexpected(endpoint, serverUrl, e.getMessage(), e);
        }
    }

    private static <T> T read(byte[] reply, JavaType type, Endpoint endpoint, String serverUrl) {
        try {
            T value = MAPPER.readValue(reply, type);
            if (value == null) {
                throw unexpected(endpoint, serverUrl, "the reply is empty or null", null);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw unexpected(endpoint, serverUrl, e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw unexpected(endpoint, serverUrl, e.getMessage(), e);
        }
    }

    private static DstackException unexpected(Endpoint endpoint, String serverUrl, String problem, Exception cause) {
        return new DstackException(ErrorCode.ERROR, "Unexpected reply from the dstack server at " + serverUrl + " to "
                + endpoint.path() + ": " + problem + ". Is it a dstack server of a compatible version?", cause);
    }
}
