package ai.dstack.api.json.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Defaults and immutable copies for record compact constructors. Copies keep insertion order (dstack's maps,
 * such as {@code env}, are ordered) and allow null elements (JSON may carry them).
 */
public final class Values {
    private Values() {}

    /** An unmodifiable copy, or an empty list for null: for lists dstack defaults to {@code []}. */
    public static <T> List<T> list(List<T> values) {
        return values == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** An unmodifiable copy, or null for null: for optional lists. */
    public static <T> List<T> listOrNull(List<T> values) {
        return values == null ? null : Collections.unmodifiableList(new ArrayList<>(values));
    }

    /** An unmodifiable ordered copy, or an empty map for null: for maps dstack defaults to <code>{}</code>. */
    public static <K, V> Map<K, V> map(Map<K, V> values) {
        return values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** An unmodifiable ordered copy, or null for null: for optional maps. */
    public static <K, V> Map<K, V> mapOrNull(Map<K, V> values) {
        return values == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Java null for both a missing value and JSON {@code null}, so callers test one thing. */
    public static JsonNode node(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() ? null : value;
    }

    public static <T> T orDefault(T value, T defaultValue) {
        return value == null ? defaultValue : value;
    }
}
