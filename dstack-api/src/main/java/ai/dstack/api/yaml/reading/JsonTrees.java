package ai.dstack.api.yaml.reading;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** Turns a JSON tree into {@link YamlValue}s, so JSON requests are read by the same rules as YAML files. */
public final class JsonTrees {
    private JsonTrees() {}

    public static YamlValue toYamlValue(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new YamlValue.Scalar(null, 0, 0);
        }
        if (node.isObject()) {
            LinkedHashMap<String, YamlValue> entries = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> entries.put(e.getKey(), toYamlValue(e.getValue())));
            return new YamlValue.Mapping(entries, 0, 0);
        }
        if (node.isArray()) {
            List<YamlValue> items = new ArrayList<>();
            node.forEach(item -> items.add(toYamlValue(item)));
            return new YamlValue.Sequence(items, 0, 0);
        }
        Object value;
        if (node.isBoolean()) {
            value = node.booleanValue();
        } else if (node.isIntegralNumber()) {
            value = node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        } else if (node.isNumber()) {
            value = node.doubleValue();
        } else {
            value = node.asText();
        }
        return new YamlValue.Scalar(value, 0, 0);
    }
}
