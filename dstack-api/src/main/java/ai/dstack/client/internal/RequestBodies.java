package ai.dstack.client.internal;

import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.client.ApplyFleetRequest;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.client.InstanceQuery;
import ai.dstack.client.MemberSetting;
import ai.dstack.client.NewUser;
import ai.dstack.client.ProjectQuery;
import ai.dstack.client.RunPlanRequest;
import ai.dstack.client.RunQuery;
import ai.dstack.client.UserQuery;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The JSON bodies of dstack's request schemas ({@code server/schemas/*.py}) for the client's request types. */
public final class RequestBodies {
    private RequestBodies() {}

    /** {@code users/list}: dstack's client leaves unset fields out so that the server's defaults apply. */
    public static ObjectNode listUsers(UserQuery query) {
        ObjectNode body = WireJson.object();
        putIfSet(body, "name_pattern", query.namePattern());
        putIfSet(body, "prev_created_at", query.prevCreatedAt());
        putIfSet(body, "prev_id", query.prevId());
        putIfSet(body, "limit", query.limit());
        putIfSet(body, "ascending", query.ascending());
        return body;
    }

    public static ObjectNode createUser(NewUser user) {
        return WireJson.object()
                .put("username", user.username())
                .put("global_role", user.globalRole().wireValue())
                .put("email", user.email())
                .put("active", user.active());
    }

    /** {@code projects/list}: like {@link #listUsers}, unset fields are left out. */
    public static ObjectNode listProjects(ProjectQuery query) {
        ObjectNode body = WireJson.object().put("include_not_joined", query.includeNotJoined());
        putIfSet(body, "name_pattern", query.namePattern());
        putIfSet(body, "prev_created_at", query.prevCreatedAt());
        putIfSet(body, "prev_id", query.prevId());
        putIfSet(body, "limit", query.limit());
        putIfSet(body, "ascending", query.ascending());
        return body;
    }

    public static ObjectNode members(List<MemberSetting> members) {
        ObjectNode body = WireJson.object();
        ArrayNode list = body.putArray("members");
        for (MemberSetting member : members) {
            list.addObject().put("username", member.username()).put("project_role", member.projectRole().wireValue());
        }
        return body;
    }

    public static ObjectNode listRuns(RunQuery query) {
        ObjectNode body = WireJson.object()
                .put("project_name", query.projectName())
                .put("repo_id", query.repoId())
                .put("username", query.username())
                .put("only_active", query.onlyActive())
                .put("include_jobs", query.includeJobs())
                .put("job_submissions_limit", query.jobSubmissionsLimit());
        body.set("prev_submitted_at", WireJson.tree(query.prevSubmittedAt()));
        body.set("prev_run_id", WireJson.tree(query.prevRunId()));
        return body.put("limit", query.limit()).put("ascending", query.ascending());
    }

    public static ObjectNode runPlan(RunPlanRequest request) {
        ObjectNode body = WireJson.object();
        body.set("run_spec", RequestCompat.runSpec(WireJson.tree(request.runSpec())));
        return body.put("max_offers", request.maxOffers())
                .put("full_offers", request.fullOffers())
                .put("unallocated_resources", request.unallocatedResources())
                .put("for_offers_only", request.forOffersOnly());
    }

    public static ObjectNode applyRun(ApplyRunRequest request) {
        ObjectNode body = WireJson.object();
        ObjectNode plan = body.putObject("plan");
        plan.set("run_spec", RequestCompat.runSpec(WireJson.tree(request.runSpec())));
        plan.set("current_resource", RequestCompat.run(WireJson.tree(request.currentResource())));
        return body.put("force", request.force());
    }

    public static ObjectNode fleetPlan(FleetSpec spec) {
        ObjectNode body = WireJson.object();
        body.set("spec", RequestCompat.fleetSpec(WireJson.tree(spec)));
        return body;
    }

    public static ObjectNode applyFleet(ApplyFleetRequest request) {
        ObjectNode body = WireJson.object();
        ObjectNode plan = body.putObject("plan");
        plan.set("spec", RequestCompat.fleetSpec(WireJson.tree(request.spec())));
        plan.set("current_resource", RequestCompat.fleet(WireJson.tree(request.currentResource())));
        return body.put("force", request.force());
    }

    public static ObjectNode listInstances(InstanceQuery query) {
        ObjectNode body = WireJson.object();
        body.set("project_names", WireJson.tree(query.projectNames()));
        body.set("fleet_ids", WireJson.tree(query.fleetIds()));
        body.put("only_active", query.onlyActive()).put("include_imported", query.includeImported());
        body.set("prev_created_at", WireJson.tree(query.prevCreatedAt()));
        body.set("prev_id", WireJson.tree(query.prevId()));
        return body.put("limit", query.limit()).put("ascending", query.ascending());
    }

    /** A body listing names under {@code field}, e.g. {@code {"runs_names": [...]}}. */
    public static ObjectNode names(String field, List<String> names) {
        ObjectNode body = WireJson.object();
        body.set(field, WireJson.strings(names));
        return body;
    }

    private static void putIfSet(ObjectNode body, String field, Object value) {
        if (value != null) {
            body.set(field, WireJson.tree(value));
        }
    }
}
