package ai.dstack.api.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON samples under {@code ai/dstack/api/samples}, written by dstack's own pydantic models
 * (see {@code src/test/python/generate_wire_samples.py}).
 */
public final class WireSamples {
    private WireSamples() {}

    public static String text(String name) {
        String resource = "/ai/dstack/api/samples/" + name + ".json";
        try (InputStream in = WireSamples.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode tree(String name) {
        try {
            return DstackJson.mapper().readTree(text(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String name, Class<T> type) {
        try {
            return DstackJson.mapper().readValue(text(name), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the mapper writes for {@code value}, read back as a tree. */
    public static JsonNode written(Object value) {
        try {
            return DstackJson.mapper().readTree(DstackJson.mapper().writeValueAsString(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
