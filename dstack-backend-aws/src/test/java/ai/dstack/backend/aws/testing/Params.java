package ai.dstack.backend.aws.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Reads EC2 Query parameters: numbered lists ({@code X.1}, {@code X.2}), filters and tag specifications. */
final class Params {
    private Params() {}

    /** {@code name.1}, {@code name.2}, ... */
    static List<String> list(Map<String, String> p, String name) {
        List<String> values = new ArrayList<>();
        for (int i = 1; p.containsKey(name + "." + i); i++) {
            values.add(p.get(name + "." + i));
        }
        return values;
    }

    /** {@code Filter.N.Name} with its {@code Filter.N.Value.M}. */
    static Map<String, List<String>> filters(Map<String, String> p) {
        Map<String, List<String>> filters = new LinkedHashMap<>();
        for (int i = 1; p.containsKey("Filter." + i + ".Name"); i++) {
            filters.put(p.get("Filter." + i + ".Name"), list(p, "Filter." + i + ".Value"));
        }
        return filters;
    }

    /** The tags of the {@code TagSpecification.N} for {@code resourceType}. */
    static Map<String, String> tagSpec(Map<String, String> p, String resourceType) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 1; p.containsKey("TagSpecification." + i + ".ResourceType"); i++) {
            if (!p.get("TagSpecification." + i + ".ResourceType").equals(resourceType)) {
                continue;
            }
            String prefix = "TagSpecification." + i + ".Tag.";
            for (int j = 1; p.containsKey(prefix + j + ".Key"); j++) {
                tags.put(p.get(prefix + j + ".Key"), p.getOrDefault(prefix + j + ".Value", ""));
            }
        }
        return tags;
    }

    /**
     * Whether a resource passes every filter: {@code tag:K} against its tags, other names through {@code attributes}
     * (which returns null for a filter it does not know: then the call fails as EC2's would).
     * Values may use {@code *} as a wildcard.
     */
    static boolean matches(Map<String, List<String>> filters, Map<String, String> tags,
            Function<String, List<String>> attributes) {
        for (Map.Entry<String, List<String>> filter : filters.entrySet()) {
            String name = filter.getKey();
            List<String> actual;
            if (name.startsWith("tag:")) {
                String value = tags.get(name.substring(4));
                actual = value == null ? List.of() : List.of(value);
            } else {
                actual = attributes.apply(name);
                if (actual == null) {
                    throw new Ec2Error(400, "InvalidParameterValue", "The filter '" + name + "' is invalid");
                }
            }
            boolean any = false;
            for (String wanted : filter.getValue()) {
                for (String value : actual) {
                    if (glob(wanted, value)) {
                        any = true;
                    }
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    private static boolean glob(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else {
                regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return value.matches(regex.toString());
    }
}
