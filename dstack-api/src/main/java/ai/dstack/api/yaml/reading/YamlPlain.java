package ai.dstack.api.yaml.reading;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns loaded values into plain maps, lists and scalars, for the few fields dstack passes through as given. */
public final class YamlPlain {
    private YamlPlain() {}

    public static Object toPlain(YamlValue value) {
        if (value instanceof YamlValue.Mapping m) {
            return toMap(m);
        }
        if (value instanceof YamlValue.Sequence s) {
            List<Object> out = new ArrayList<>();
            s.items().forEach(item -> out.add(toPlain(item)));
            return Collections.unmodifiableList(out);
        }
        return ((YamlValue.Scalar) value).value();
    }

    public static Map<String, Object> toMap(YamlValue.Mapping mapping) {
        Map<String, Object> out = new LinkedHashMap<>();
        mapping.entries().forEach((k, v) -> out.put(k, toPlain(v)));
        return Collections.unmodifiableMap(out);
    }
}
