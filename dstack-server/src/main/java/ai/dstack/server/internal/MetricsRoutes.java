package ai.dstack.server.internal;

import ai.dstack.api.event.ListEventsRequest;
import ai.dstack.api.json.DstackJson;
import ai.dstack.core.app.Operation;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /api/project/{p}/metrics/job/{run_name}} (dstack's GET with query parameters; POST is answered alike) and
 * {@code /api/events/list}. Any project member may read a job's metrics; events are filtered to what the caller may
 * see by the query itself.
 */
final class MetricsRoutes {
    static final String JOB_METRICS = "/api/project/{project_name}/metrics/job/{run_name}";
    /** Routes also answered on GET. */
    static final Set<String> GET_PATHS = Set.of(JOB_METRICS);
    private static final UnknownFields UNKNOWN = new UnknownFields();

    private MetricsRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route(JOB_METRICS, Operation.GET_JOB_METRICS, Route.Body.NONE, call -> {
                    Fields query = query(call);
                    UUID runId = query.optUuid("run_id");
                    int replicaNum = query.integer("replica_num", 0, null, null);
                    int jobNum = query.integer("job_num", 0, null, null);
                    int limit = query.integer("limit", 1, 1, null);
                    var after = query.optInstant("after");
                    var before = query.optInstant("before");
                    query.done();
                    return call.app().getJobMetrics(call.caller(), call.project(), call.pathParameter("run_name"),
                            runId, replicaNum, jobNum, limit, after, before);
                }),
                new Route("/api/events/list", Operation.LIST_EVENTS, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    ListEventsRequest request = new ListEventsRequest(
                            body.optUuids("target_projects"), body.optUuids("target_users"),
                            body.optUuids("target_fleets"), body.optUuids("target_instances"),
                            body.optUuids("target_runs"), body.optUuids("target_jobs"),
                            body.optUuids("target_volumes"), body.optUuids("target_gateways"),
                            body.optUuids("target_secrets"), body.optUuids("within_projects"),
                            body.optUuids("within_fleets"), body.optUuids("within_runs"),
                            body.optStrings("include_target_types"), actors(body),
                            body.optInstant("prev_recorded_at"), body.optUuid("prev_id"),
                            body.integer("limit", 100, 1, 100), body.bool("ascending", false));
                    body.done();
                    return call.app().listEvents(call.caller(), request);
                }));
    }

    /** {@code actors}: user ids, where null stands for the server itself. */
    private static List<UUID> actors(Fields body) {
        var node = body.raw("actors");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            body.problems().add(body.loc("actors"), "list_type", "Input should be a valid list", node);
            return null;
        }
        UUID[] ids = new UUID[node.size()];
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isNull()) {
                try {
                    ids[i] = UUID.fromString(node.get(i).asText());
                } catch (IllegalArgumentException e) {
                    body.problems().add(body.loc("actors", i), "uuid_parsing",
                            "Input should be a valid UUID, unable to parse string as a UUID", node.get(i));
                }
            }
        }
        return Arrays.asList(ids);
    }

    /** The query string as fields, so its values are checked as FastAPI checks query parameters. */
    private static Fields query(Call call) {
        ObjectNode node = DstackJson.mapper().createObjectNode();
        call.query().forEach(node::put);
        return new Fields(node, List.of("query"), new Problems(), UNKNOWN, JOB_METRICS);
    }
}
