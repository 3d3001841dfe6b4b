package ai.dstack.backend.gcp.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** GCE's naming rules: resource names and label values are lowercase letters, digits and dashes, at most 63. */
final class GcpNames {
    private GcpNames() {}

    /** A label value from any text: lowercased, other characters as {@code -}, at most 63. */
    static String labelValue(String text) {
        String v = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
        return v.length() > 63 ? v.substring(0, 63) : v;
    }

    static Map<String, String> labels(Map<String, String> tags) {
        Map<String, String> labels = new LinkedHashMap<>();
        tags.forEach((k, v) -> labels.put(labelValue(k), labelValue(v)));
        return labels;
    }

    /** A resource name from dstack's name: a letter first, then {@code [a-z0-9-]}, a random suffix, at most 63. */
    static String resourceName(String dstackName) {
        String base = dstackName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-");
        if (base.isEmpty() || !Character.isLetter(base.charAt(0))) {
            base = "dstack-" + base;
        }
        if (base.length() > 55) {
            base = base.substring(0, 55);
        }
        base = base.replaceAll("-+$", "");
        return base + "-" + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    }

    /** The project-wide name of a thing the backend makes once per project (firewall rule). */
    static String projectName(String project, String what) {
        String base = ("dstack-" + project.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9-]", "-");
        String name = base + "-" + what;
        return name.length() > 63 ? name.substring(0, 63) : name;
    }
}
