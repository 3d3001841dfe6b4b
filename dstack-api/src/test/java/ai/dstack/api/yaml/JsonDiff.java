package ai.dstack.api.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Lists where two JSON trees differ (ints and longs alike, ints and floats not), so a failure says what to fix. */
final class JsonDiff {
    private JsonDiff() {}

    static List<String> diff(JsonNode expected, JsonNode actual) {
        List<String> out = new ArrayList<>();
        diff("", expected, actual, out);
        return out;
    }

    private static void diff(String path, JsonNode expected, JsonNode actual, List<String> out) {
        if (expected == null || actual == null || expected.getNodeType() != actual.getNodeType()
                || expected.isNumber() && expected.isIntegralNumber() != actual.isIntegralNumber()) {
            out.add(path + ": expected " + expected + " but was " + actual);
            return;
        }
        if (expected.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            expected.fieldNames().forEachRemaining(keys::add);
            actual.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                diff(path + "." + key, expected.get(key), actual.get(key), out);
            }
        } else if (expected.isArray()) {
            if (expected.size() != actual.size()) {
                out.add(path + ": expected " + expected + " but was " + actual);
                return;
            }
            Iterator<JsonNode> a = actual.iterator();
            int i = 0;
            for (JsonNode e : expected) {
                diff(path + "[" + i++ + "]", e, a.next(), out);
            }
        } else if (expected.isIntegralNumber() ? !expected.bigIntegerValue().equals(actual.bigIntegerValue())
                : expected.isNumber() ? expected.doubleValue() != actual.doubleValue() : !expected.equals(actual)) {
            out.add(path + ": expected " + expected + " but was " + actual);
        }
    }
}
