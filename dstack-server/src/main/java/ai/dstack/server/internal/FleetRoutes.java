package ai.dstack.server.internal;

import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.client.ApplyFleetRequest;
import ai.dstack.client.InstanceQuery;
import ai.dstack.core.app.Operation;
import java.time.Instant;
import java.util.List;
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
                new Route("/api/fleets/list", Operation.LIST_ALL_FLEETS, Route.Body.REQUIRED, FleetRoutes::listAll),
                new Route(PROJECT + "fleets/list", Operation.LIST_FLEETS, Route.Body.OPTIONAL, call -> {
                    call.body().bool("include_imported", false);
                    call.body().done();
                    return call.app().listFleets(call.caller(), call.project());
                }),
                new Route(PROJECT + "fleets/get", Operation.GET_FLEET, Route.Body.REQUIRED, call -> {
                    String name = call.body().optString("name");
                    UUID id = call.body().optUuid("id");
                    call.body().done();
                    return call.app().getFleet(call.caller(), call.project(), name, id);
                }),
                new Route(PROJECT + "fleets/get_plan", Operation.GET_FLEET_PLAN, Route.Body.REQUIRED, call -> {
                    FleetSpec spec = call.body().typed("spec", FleetSpec.class, true);
                    call.body().done();
                    return call.app().getFleetPlan(call.caller(), call.project(), spec);
                }),
                new Route(PROJECT + "fleets/apply", Operation.APPLY_FLEET, Route.Body.REQUIRED, call -> {
                    Fields plan = call.body().object("plan");
                    FleetSpec spec = plan.typed("spec", FleetSpec.class, true);
                    plan.raw("current_resource");
                    boolean force = call.body().bool("force");
                    call.body().done();
                    return call.app().applyFleet(call.caller(), call.project(), new ApplyFleetRequest(spec, null, force));
                }),
                new Route(PROJECT + "fleets/delete", Operation.DELETE_FLEETS, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("names");
                    call.body().done();
                    call.app().deleteFleets(call.caller(), call.project(), names);
                    return null;
                }),
                new Route(PROJECT + "fleets/delete_instances", Operation.DELETE_FLEET_INSTANCES, Route.Body.REQUIRED,
                        call -> {
                            String name = call.body().string("name");
                            List<Integer> nums = call.body().integers("instance_nums");
                            call.body().done();
                            call.app().deleteFleetInstances(call.caller(), call.project(), name, nums);
                            return null;
                        }),
                new Route("/api/instances/list", Operation.LIST_INSTANCES, Route.Body.REQUIRED, FleetRoutes::listInstances),
                new Route(PROJECT + "instances/get", Operation.GET_INSTANCE, Route.Body.REQUIRED, call -> {
                    UUID id = call.body().uuid("id");
                    call.body().done();
                    return call.app().getInstance(call.caller(), call.project(), id);
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
        return call.app().listAllFleets(call.caller(), projectName, onlyActive, prevCreatedAt, prevId, limit, ascending);
    }

    private static Object listInstances(Call call) {
        Fields body = call.body();
        List<String> projectNames = body.optStrings("project_names");
        List<UUID> fleetIds = body.optUuids("fleet_ids");
        boolean onlyActive = body.bool("only_active", false);
        boolean includeImported = body.bool("include_imported", false);
        Instant prevCreatedAt = body.optInstant("prev_created_at");
        UUID prevId = body.optUuid("prev_id");
        int limit = body.integer("limit", 1000, 0, null);
        boolean ascending = body.bool("ascending", false);
        body.done();
        return call.app().listInstances(call.caller(), new InstanceQuery(projectNames, fleetIds, onlyActive,
                includeImported, prevCreatedAt, prevId, limit, ascending));
    }
}
