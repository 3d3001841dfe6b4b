package ai.dstack.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Leaves out of request bodies the fields dstack's own client leaves out when they are unset or informational
 * ({@code core/compatibility/runs.py}, {@code fleets.py}). Older servers reject unknown fields with a 422, so
 * sending only what dstack's client sends keeps this client working against them.
 */
public final class RequestCompat {
    private RequestCompat() {}

    /** A run spec: a task's {@code nodes} and {@code groups} go when null. */
    public static JsonNode runSpec(JsonNode runSpec) {
        if (runSpec instanceof ObjectNode spec && spec.get("configuration") instanceof ObjectNode configuration
                && "task".equals(configuration.path("type").asText())) {
            removeIfNull(configuration, "groups");
            removeIfNull(configuration, "nodes");
        }
        return runSpec;
    }

    /** A run sent back as a plan's {@code current_resource}, or null. */
    public static JsonNode run(JsonNode run) {
        if (!(run instanceof ObjectNode current)) {
            return NullNode.getInstance();
        }
        runSpec(current.get("run_spec"));
        JsonNode jobs = current.path("jobs");
        boolean defaultGroups = true;
        for (JsonNode job : jobs) {
            JsonNode spec = job.path("job_spec");
            defaultGroups &= spec.path("node_group_index").asInt(0) == 0
                    && "0".equals(spec.path("node_group_name").asText("0"))
                    && spec.path("node_group_job_index").asInt(0) == 0;
        }
        for (JsonNode job : jobs) {
            if (job instanceof ObjectNode jobObject) {
                // Computed for display only.
                jobObject.remove("job_connection_info");
                if (defaultGroups && jobObject.get("job_spec") instanceof ObjectNode spec) {
                    spec.remove("node_group_index");
                    spec.remove("node_group_name");
                    spec.remove("node_group_job_index");
                }
                for (JsonNode submission : jobObject.path("job_submissions")) {
                    dropResourcesDescription(submission.path("job_provisioning_data").path("instance_type"));
                }
            }
        }
        dropResourcesDescription(current.path("latest_job_submission").path("job_provisioning_data").path("instance_type"));
        return current;
    }

    /** A fleet spec: {@code autocreated} is deprecated and never sent. */
    public static JsonNode fleetSpec(JsonNode spec) {
        if (spec instanceof ObjectNode object) {
            object.remove("autocreated");
        }
        return spec;
    }

    /** A fleet sent back as a plan's {@code current_resource}, or null. */
    public static JsonNode fleet(JsonNode fleet) {
        if (!(fleet instanceof ObjectNode current)) {
            return NullNode.getInstance();
        }
        fleetSpec(current.get("spec"));
        for (JsonNode instance : current.path("instances")) {
            dropResourcesDescription(instance.path("instance_type"));
        }
        return current;
    }

    // Resources.description is deprecated and always "" since dstack 0.21; not sending it lets servers drop it.
    private static void dropResourcesDescription(JsonNode instanceType) {
        if (instanceType.path("resources") instanceof ObjectNode resources) {
            resources.remove("description");
        }
    }

    private static void removeIfNull(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        if (value != null && value.isNull()) {
            object.remove(field);
        }
    }
}
