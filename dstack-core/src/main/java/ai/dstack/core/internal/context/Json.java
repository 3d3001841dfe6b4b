package ai.dstack.core.internal.context;

import ai.dstack.api.json.DstackJson;
import com.fasterxml.jackson.core.JsonProcessingException;

/**
 * Specs are kept in the database as dstack's JSON; these read and write them. The engine parses a row's specs when it
 * reads the row and passes the typed spec along instead of parsing it again; the REST API's read paths, which show
 * the same stored specs over and over, go through {@link StoredSpecs}.
 */
public final class Json {
    private Json() {}

    public static String write(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return DstackJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return DstackJson.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
