package ai.dstack.server.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.storage.ProjectRow;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Fleets and instances. Listing and getting work; creating, changing and deleting fleets are refused with a clear
 * 400 until SSH fleets land (the engine runs jobs on its built-in fleet {@code local}).
 */
final class FleetRoutes {
    private static final String PROJECT = "/api/project/{project_name}/";
    static final String NOT_SUPPORTED = "is not supported by this server yet: it runs jobs on its built-in fleet"
            + " 'local' only (SSH and cloud fleets are not available)";

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
                    call.body().opaqueObject("spec");
                    call.body().done();
                    throw notSupported("Planning a fleet");
                }),
                new Route(PROJECT + "fleets/apply", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    Fields plan = call.body().object("plan");
                    plan.opaqueObject("spec");
                    plan.raw("current_resource");
                    call.body().bool("force");
                    call.body().done();
                    throw notSupported("Applying a fleet");
                }),
                new Route(PROJECT + "fleets/delete", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    call.body().strings("names");
                    call.body().done();
                    throw notSupported("Deleting fleets");
                }),
                new Route(PROJECT + "fleets/delete_instances", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    call.body().string("name");
                    call.body().integers("instance_nums");
                    call.body().done();
                    throw notSupported("Deleting fleet instances");
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

    private static DstackException notSupported(String what) {
        return new DstackException(ErrorCode.ERROR, what + " " + NOT_SUPPORTED);
    }
}
