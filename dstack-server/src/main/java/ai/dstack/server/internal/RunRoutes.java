package ai.dstack.server.internal;

import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.RunPlanRequest;
import ai.dstack.client.RunQuery;
import ai.dstack.core.app.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** {@code /api/runs/list} and {@code /api/project/{p}/runs/*}. */
final class RunRoutes {
    private static final int MAX_JOB_SUBMISSIONS = 10;

    private RunRoutes() {}

    static List<Route> all() {
        String project = "/api/project/{project_name}/runs/";
        return List.of(
                new Route("/api/runs/list", Operation.LIST_RUNS, Route.Body.REQUIRED, RunRoutes::list),
                new Route(project + "get", Operation.GET_RUN, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    String runName = body.optString("run_name");
                    UUID id = body.optUuid("id");
                    body.done();
                    return call.app().getRun(call.caller(), call.project(), runName, id);
                }),
                new Route(project + "get_plan", Operation.GET_RUN_PLAN, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    RunSpec spec = runSpec(body, "run_spec");
                    Integer maxOffers = body.optInteger("max_offers", 1, 10000);
                    body.bool("full_offers", false);
                    body.bool("unallocated_resources", false);
                    body.bool("for_offers_only", false);
                    body.done();
                    return call.app().getRunPlan(call.caller(), call.project(),
                            new RunPlanRequest(spec, maxOffers, false, false, false));
                }),
                new Route(project + "apply", Operation.APPLY_RUN, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    Fields plan = body.object("plan");
                    RunSpec spec = runSpec(plan, "run_spec");
                    Run current = plan.typed("current_resource", Run.class, false);
                    boolean force = body.bool("force");
                    body.done();
                    return call.app().applyRun(call.caller(), call.project(), new ApplyRunRequest(spec, current, force));
                }),
                new Route(project + "stop", Operation.STOP_RUNS, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    List<String> names = body.strings("runs_names");
                    boolean abort = body.bool("abort");
                    body.done();
                    call.app().stopRuns(call.caller(), call.project(), names, abort);
                    return null;
                }),
                new Route(project + "delete", Operation.DELETE_RUNS, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("runs_names");
                    call.body().done();
                    call.app().deleteRuns(call.caller(), call.project(), names);
                    return null;
                }));
    }

    /** A run spec; its configuration is required (dstack's model has no default for it). */
    static RunSpec runSpec(Fields fields, String name) {
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
        String projectName = body.optString("project_name");
        String repoId = body.optString("repo_id");
        String username = body.optString("username");
        boolean onlyActive = body.bool("only_active", false);
        boolean includeJobs = body.bool("include_jobs", true);
        Instant prevSubmittedAt = body.optInstant("prev_submitted_at");
        UUID prevRunId = body.optUuid("prev_run_id");
        int limit = body.integer("limit", 100, 0, 100);
        boolean ascending = body.bool("ascending", false);
        body.done();
        RunQuery query = new RunQuery(projectName, repoId, username, onlyActive, includeJobs,
                submissions == null ? MAX_JOB_SUBMISSIONS : submissions, prevSubmittedAt, prevRunId, limit, ascending);
        return call.app().listRuns(call.caller(), query);
    }
}
