package ai.dstack.server.internal;

import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.operations.RunQuery;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code /api/runs/list} and {@code /api/project/{p}/runs/*}. */
final class RunRoutes {
    private static final int MAX_JOB_SUBMISSIONS = 10;

    private RunRoutes() {}

    static List<Route> all() {
        String project = "/api/project/{project_name}/runs/";
        return List.of(
                new Route("/api/runs/list", Need.AUTHENTICATED, Route.Body.REQUIRED, RunRoutes::list),
                new Route(project + "get", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    String runName = body.optString("run_name");
                    java.util.UUID id = body.optUuid("id");
                    body.done();
                    return call.engine().runs().get(call.project(), runName, id);
                }),
                new Route(project + "get_plan", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    RunSpec spec = runSpec(body, "run_spec");
                    Integer maxOffers = body.optInteger("max_offers", 1, 10000);
                    body.bool("full_offers", false);
                    body.bool("unallocated_resources", false);
                    body.bool("for_offers_only", false);
                    body.done();
                    return call.engine().runs().plan(call.project(), call.user(), spec, maxOffers);
                }),
                new Route(project + "apply", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    Fields plan = body.object("plan");
                    RunSpec spec = runSpec(plan, "run_spec");
                    Run current = plan.typed("current_resource", Run.class, false);
                    boolean force = body.bool("force");
                    body.done();
                    return call.engine().runs().apply(call.project(), call.user(), spec, current, force);
                }),
                new Route(project + "stop", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    List<String> names = body.strings("runs_names");
                    boolean abort = body.bool("abort");
                    body.done();
                    call.engine().runs().stop(call.project(), names, abort);
                    return null;
                }),
                new Route(project + "delete", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("runs_names");
                    call.body().done();
                    call.engine().runs().delete(call.project(), names);
                    return null;
                }));
    }

    /** A run spec; its configuration is required (dstack's model has no default for it). */
    private static RunSpec runSpec(Fields fields, String name) {
        JsonNode node = fields.raw(name);
        if (node != null && node.isObject()) {
            JsonNode configuration = node.get("configuration");
            if (configuration == null || configuration.isNull()) {
                fields.problems().add(fields.loc(name, "configuration"), "missing", "Field required", node);
                return null;
            }
        }
        return fields.typed(name, RunSpec.class, true);
    }

    private static Object list(Call call) {
        Fields body = call.body();
        Integer submissions = body.optInteger("job_submissions_limit", 0, MAX_JOB_SUBMISSIONS);
        RunQuery query = new RunQuery(body.optString("project_name"), body.optString("repo_id"),
                body.optString("username"), body.bool("only_active", false), body.bool("include_jobs", true),
                submissions == null ? MAX_JOB_SUBMISSIONS : submissions, body.optInstant("prev_submitted_at"),
                body.optUuid("prev_run_id"), body.integer("limit", 100, 0, 100), body.bool("ascending", false));
        body.done();
        return call.engine().runs().list(ApiRoutes.memberProjects(call), query);
    }
}
