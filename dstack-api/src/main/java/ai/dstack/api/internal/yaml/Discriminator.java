package ai.dstack.api.internal.yaml;

import ai.dstack.api.yaml.reading.ReadContext;
import ai.dstack.api.yaml.reading.Coerce;
import ai.dstack.api.yaml.reading.YamlValue;
import ai.dstack.api.yaml.reading.PythonText;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** pydantic's tagged unions: the tag picks the model; a missing or unknown tag is reported in pydantic's words. */
final class Discriminator {
    private Discriminator() {}

    /**
     * The tag of {@code map} (the value of {@code field}) when it is one of {@code tags}; otherwise null, with the
     * error at {@code unionLoc}. {@code shownTags} is how pydantic lists the expected tags in its message.
     */
    static String tag(ReadContext ctx, YamlValue.Mapping map, String field, String unionLoc, List<String> tags, String shownTags) {
        YamlValue raw = map.entries().get(field);
        if (raw == null) {
            ctx.error(unionLoc, map, "Unable to extract tag using discriminator '" + field + "'");
            return null;
        }
        if (Coerce.scalar(raw) instanceof String s && tags.contains(s)) {
            return s;
        }
        ctx.error(unionLoc, raw, "Input tag '" + pythonStr(raw) + "' found using '" + field
                + "' does not match any of the expected tags: " + shownTags);
        return null;
    }

    /** Python's {@code str()} of a loaded value. */
    static String pythonStr(YamlValue value) {
        if (value instanceof YamlValue.Scalar s) {
            return PythonText.str(s.value());
        }
        return pythonRepr(value);
    }

    private static String pythonRepr(YamlValue value) {
        if (value instanceof YamlValue.Sequence seq) {
            List<String> items = new ArrayList<>();
            seq.items().forEach(item -> items.add(pythonRepr(item)));
            return "[" + String.join(", ", items) + "]";
        }
        if (value instanceof YamlValue.Mapping map) {
            List<String> items = new ArrayList<>();
            for (Map.Entry<String, YamlValue> e : map.entries().entrySet()) {
                items.add(PythonText.repr(e.getKey()) + ": " + pythonRepr(e.getValue()));
            }
            return "{" + String.join(", ", items) + "}";
        }
        Object v = ((YamlValue.Scalar) value).value();
        return v instanceof String s ? PythonText.repr(s) : PythonText.str(v);
    }
}
