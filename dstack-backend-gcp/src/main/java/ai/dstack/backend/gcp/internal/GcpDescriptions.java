package ai.dstack.backend.gcp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * dstack's tags where GCE has no labels (firewall rules, resource policies): as JSON in the description, after
 * {@code dstack:}; and the list filter for labelled resources.
 */
final class GcpDescriptions {
    private static final String PREFIX = "dstack:";
    private static final ObjectMapper JSON = new ObjectMapper();

    private GcpDescriptions() {}

    static String of(Map<String, String> tags) {
        try {
            return PREFIX + JSON.writeValueAsString(new TreeMap<>(tags));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tags in a description; null when it is not one of dstack's. */
    static Map<String, String> tags(String description) {
        if (description == null || !description.startsWith(PREFIX)) {
            return null;
        }
        try {
            return JSON.readValue(description.substring(PREFIX.length()), new TypeReference<Map<String, String>>() {});
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** GCE's list filter for all of the labels: {@code (labels.k = "v") AND ...}. */
    static String labelFilter(Map<String, String> labels) {
        return labels.entrySet().stream().map(e -> "(labels." + e.getKey() + " = \"" + e.getValue() + "\")")
                .collect(Collectors.joining(" AND "));
    }
}
