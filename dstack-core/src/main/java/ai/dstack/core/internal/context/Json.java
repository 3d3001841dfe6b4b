package ai.dstack.core.internal.context;

import ai.dstack.api.json.DstackJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Specs are kept in the database as dstack's JSON; these read and write them. Reads go through a small cache keyed
 * by the JSON text: a stored spec never changes (an update stores a new text), and the same run and job specs are
 * read at every step, where parsing (configurations go through dstack's validation rules) would dominate.
 */
public final class Json {
    private static final int CACHED = 4096;
    private static final Map<String, Object> PARSED = new LinkedHashMap<>(CACHED, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
            return size() > CACHED;
        }
    };

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
        Object cached;
        synchronized (PARSED) {
            cached = PARSED.get(json);
        }
        if (type.isInstance(cached)) {
            return type.cast(cached);
        }
        T parsed = parse(json, type);
        synchronized (PARSED) {
            PARSED.put(json, parsed);
        }
        return parsed;
    }

    private static <T> T parse(String json, Class<T> type) {
        try {
            return DstackJson.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}
