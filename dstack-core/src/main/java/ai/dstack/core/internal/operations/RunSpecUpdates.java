package ai.dstack.core.internal.operations;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.RunSpec;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * dstack's rule for which changes to an active run's spec could be applied in place (§5.3 of the API notes):
 * the spec may differ only in its configuration and its path (services: also repo and files), and the configuration
 * only in fields updatable for its type. Whether the engine then applies the change is another matter.
 */
final class RunSpecUpdates {
    private static final Set<String> SPEC_FIELDS = Set.of("configuration_path", "configuration");
    private static final Set<String> SERVICE_SPEC_FIELDS = Set.of("repo_data", "repo_code_hash", "file_archives", "working_dir");
    private static final Set<String> CONFIGURATION_FIELDS = Set.of("priority");
    private static final Map<String, Set<String>> TYPE_CONFIGURATION_FIELDS = Map.of(
            "dev-environment", Set.of("inactivity_duration"),
            "service", Set.of("replicas", "groups", "scaling", "port", "probes", "resources", "volumes", "docker",
                    "files", "image", "user", "privileged", "entrypoint", "working_dir", "python", "nvcc",
                    "single_branch", "env", "shell", "commands"));

    private RunSpecUpdates() {}

    /** Whether {@code next} differs from {@code current} only where dstack updates runs in place. */
    static boolean isUpdatable(RunSpec current, RunSpec next) {
        JsonNode from = DstackJson.mapper().valueToTree(current);
        JsonNode to = DstackJson.mapper().valueToTree(next);
        String type = to.path("configuration").path("type").asText();
        if (!type.equals(from.path("configuration").path("type").asText())) {
            return false;
        }
        Set<String> allowed = new LinkedHashSet<>(SPEC_FIELDS);
        if (type.equals("service")) {
            allowed.addAll(SERVICE_SPEC_FIELDS);
        }
        if (!allowed.containsAll(changedFields(from, to))) {
            return false;
        }
        Set<String> allowedConfiguration = new LinkedHashSet<>(CONFIGURATION_FIELDS);
        allowedConfiguration.addAll(TYPE_CONFIGURATION_FIELDS.getOrDefault(type, Set.of()));
        return allowedConfiguration.containsAll(changedFields(from.path("configuration"), to.path("configuration")));
    }

    /**
     * Why the change cannot be made in place, as a sentence to append to dstack's refusal (empty when it can):
     * names the changed fields that need a new run.
     */
    static String whyNot(RunSpec current, RunSpec next) {
        JsonNode from = DstackJson.mapper().valueToTree(current);
        JsonNode to = DstackJson.mapper().valueToTree(next);
        String type = to.path("configuration").path("type").asText();
        String was = from.path("configuration").path("type").asText();
        if (!type.equals(was)) {
            return " The configuration type changed from " + was + " to " + type + ".";
        }
        Set<String> allowed = new LinkedHashSet<>(SPEC_FIELDS);
        if (type.equals("service")) {
            allowed.addAll(SERVICE_SPEC_FIELDS);
        }
        Set<String> blocked = new LinkedHashSet<>(changedFields(from, to));
        blocked.removeAll(allowed);
        Set<String> allowedConfiguration = new LinkedHashSet<>(CONFIGURATION_FIELDS);
        allowedConfiguration.addAll(TYPE_CONFIGURATION_FIELDS.getOrDefault(type, Set.of()));
        for (String field : changedFields(from.path("configuration"), to.path("configuration"))) {
            if (!allowedConfiguration.contains(field)) {
                blocked.add("configuration." + field);
            }
        }
        return blocked.isEmpty() ? "" : " These changes cannot be applied to a running " + type + ": "
                + String.join(", ", blocked) + ". Stop the run and apply again to start a new one.";
    }

    private static Set<String> changedFields(JsonNode from, JsonNode to) {
        Set<String> names = new LinkedHashSet<>();
        from.fieldNames().forEachRemaining(names::add);
        to.fieldNames().forEachRemaining(names::add);
        Set<String> changed = new LinkedHashSet<>();
        for (Iterator<String> it = names.iterator(); it.hasNext(); ) {
            String name = it.next();
            JsonNode a = from.has(name) ? from.get(name) : NullNode.getInstance();
            JsonNode b = to.has(name) ? to.get(name) : NullNode.getInstance();
            if (!a.equals(b)) {
                changed.add(name);
            }
        }
        return changed;
    }
}
