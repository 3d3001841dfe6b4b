package ai.dstack.server.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.spi.storage.ProjectRow;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Fleets and instances: listing and getting every fleet, planning, applying and deleting SSH fleets (the built-in
 * fleet {@code local} cannot be changed; cloud fleets are refused with a clear 400).
 */
final class FleetRoutes {
    private static final String PROJECT = "/api/project/{project_name}/";

    private FleetRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route("/api/fleets/list", Need.AUTHENTICATED, Route.Body.REQUIRED, FleetRoutes::listAll),
                new Route(PROJECT + "fleets/list", Need.PROJECT_MEMBER, Route.Body.OPTIONAL, call -> {
                    call.body().bool("include_imported", false);
                    call.body().done();
                    return call.engine().fleets().list(call.project());
                }),
                new Route(PROJECT + "fleets/get", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    String name = call.body().optString("name");
                    UUID id = call.body().optUuid("id");
                    call.body().done();
                    return call.engine().fleets().get(call.project(), name, id);
                }),
                new Route(PROJECT + "fleets/get_plan", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    FleetSpec spec = fleetSpec(call.body(), "spec");
                    call.body().done();
                    return call.engine().fleets().plan(call.project(), call.user(), spec);
                }),
                new Route(PROJECT + "fleets/apply", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    Fields plan = call.body().object("plan");
                    FleetSpec spec = fleetSpec(plan, "spec");
                    plan.raw("current_resource");
                    call.body().bool("force");
                    call.body().done();
                    return call.engine().fleets().apply(call.project(), call.user(), spec);
                }),
                new Route(PROJECT + "fleets/delete", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("names");
                    call.body().done();
                    call.engine().fleets().delete(call.project(), call.user(), names);
                    return null;
                }),
                new Route(PROJECT + "fleets/delete_instances", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    String name = call.body().string("name");
                    List<Integer> nums = call.body().integers("instance_nums");
                    call.body().done();
                    call.engine().fleets().deleteInstances(call.project(), call.user(), name, nums);
                    return null;
                }),
                new Route("/api/instances/list", Need.AUTHENTICATED, Route.Body.REQUIRED, FleetRoutes::listInstances),
                new Route(PROJECT + "instances/get", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    UUID id = call.body().uuid("id");
                    call.body().done();
                    return call.engine().fleets().instance(call.project(), id);
                }));
    }

    private static Object listAll(Call call) {
        Fields body = call.body();
        String projectName = body.optString("project_name");
        boolean onlyActive = body.bool("only_active", false);
        body.bool("include_imported", false);
        Instant prevCreatedAt = body.optInstant("prev_created_at");
        UUID prevId = body.optUuid("prev_id");
        int limit = body.integer("limit", 100, 0, 100);
        boolean ascending = body.bool("ascending", false);
        body.done();
        List<ProjectRow> projects = ApiRoutes.memberProjects(call).stream()
                .filter(p -> projectName == null || p.name().equals(projectName)).toList();
        return call.engine().fleets().list(projects, onlyActive, prevCreatedAt, prevId, limit, ascending);
    }

    private static Object listInstances(Call call) {
        Fields body = call.body();
        List<String> projectNames = body.optStrings("project_names");
        List<UUID> fleetIds = body.optUuids("fleet_ids");
        boolean onlyActive = body.bool("only_active", false);
        body.bool("include_imported", false);
        Instant prevCreatedAt = body.optInstant("prev_created_at");
        UUID prevId = body.optUuid("prev_id");
        int limit = body.integer("limit", 1000, 0, null);
        boolean ascending = body.bool("ascending", false);
        body.done();
        List<ProjectRow> projects = ApiRoutes.memberProjects(call).stream()
                .filter(p -> projectNames == null || projectNames.contains(p.name())).toList();
        Set<UUID> fleets = fleetIds == null ? null : new HashSet<>(fleetIds);
        return call.engine().fleets().instances(projects, fleets, onlyActive, prevCreatedAt, prevId, limit, ascending);
    }

    /** A fleet spec; a spec without a configuration is refused as the server refuses it. */
    private static FleetSpec fleetSpec(Fields fields, String name) {
        FleetSpec spec = fields.typed(name, FleetSpec.class, true);
        if (spec != null && spec.configuration() == null) {
            throw new DstackException(ErrorCode.ERROR, "The fleet spec has no configuration");
        }
        return spec;
    }
}
