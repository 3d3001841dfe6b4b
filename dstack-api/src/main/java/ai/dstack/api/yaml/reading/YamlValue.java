package ai.dstack.api.yaml.reading;

import java.util.LinkedHashMap;
import java.util.List;

/**
 * A parsed YAML (or JSON) value that remembers where it came from. Scalars hold what PyYAML would construct:
 * {@code String}, {@code Long}, {@code java.math.BigInteger}, {@code Double}, {@code Boolean}, or {@code null}.
 */
public sealed interface YamlValue {
    /** 1-based line, 0 when unknown (JSON input). */
    int line();

    /** 1-based column, 0 when unknown. */
    int column();

    record Scalar(Object value, int line, int column) implements YamlValue {
        public boolean isNull() {
            return value == null;
        }
    }

    record Sequence(List<YamlValue> items, int line, int column) implements YamlValue {}

    /**
     * Keys are rendered as Python's {@code str()} would render them, so non-string keys still have a name.
     *
     * @param keys where each key itself is written (an error about a key points there, not at its value)
     */
    record Mapping(LinkedHashMap<String, YamlValue> entries, int line, int column, java.util.Map<String, YamlValue> keys)
            implements YamlValue {
        public Mapping(LinkedHashMap<String, YamlValue> entries, int line, int column) {
            this(entries, line, column, java.util.Map.of());
        }

        /** Where the key is written, or its value when that is not known (JSON input). */
        public YamlValue keyAt(String key) {
            YamlValue at = keys.get(key);
            return at != null ? at : entries.get(key);
        }
    }

    default boolean isNullScalar() {
        return this instanceof Scalar s && s.value() == null;
    }

    /** How dstack's messages name an input's type ({@code str}, {@code int}, {@code dict}, ...). */
    default String pythonTypeName() {
        if (this instanceof Sequence) {
            return "list";
        }
        if (this instanceof Mapping) {
            return "dict";
        }
        Object v = ((Scalar) this).value();
        if (v == null) {
            return "NoneType";
        }
        if (v instanceof String) {
            return "str";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Double) {
            return "float";
        }
        return "int";
    }
}
