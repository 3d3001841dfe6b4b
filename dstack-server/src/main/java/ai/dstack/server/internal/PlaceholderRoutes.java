package ai.dstack.server.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.json.DstackJson;
import ai.dstack.core.app.Operation;
import java.util.List;

/**
 * Endpoints of dstack's API, for volumes (the application layer does the work) and for features this server has nothing behind yet:
 * exports and imports, UI templates, instance health checks, OAuth and the SSH proxy. The application
 * answers what is true here (empty lists, "not found") and refuses writes with a 400 that says why, so clients never
 * meet a 404 for a known route.
 */
final class PlaceholderRoutes {
    private static final String PROJECT = "/api/project/{project_name}/";

    private PlaceholderRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route("/api/auth/get_next_redirect", null, Route.Body.REQUIRED, call -> {
                    call.body().string("code");
                    call.body().string("state");
                    call.body().done();
                    // No OAuth provider is installed, so no state this server could have issued exists.
                    throw new DstackException(ErrorCode.ERROR, "Invalid state token");
                }),
                new Route("/api/volumes/list", Operation.LIST_ALL_VOLUMES, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    String projectName = body.optString("project_name");
                    boolean onlyActive = body.bool("only_active", false);
                    java.time.Instant prevCreatedAt = body.optInstant("prev_created_at");
                    java.util.UUID prevId = body.optUuid("prev_id");
                    int limit = body.integer("limit", 100, 0, 100);
                    boolean ascending = body.bool("ascending", false);
                    body.done();
                    return call.app().listAllVolumes(call.caller(), projectName, onlyActive, prevCreatedAt, prevId,
                            limit, ascending);
                }),
                new Route(PROJECT + "volumes/list", Operation.LIST_VOLUMES, Route.Body.NONE,
                        call -> call.app().listVolumes(call.caller(), call.project())),
                new Route(PROJECT + "volumes/get", Operation.GET_VOLUME, Route.Body.REQUIRED, call -> {
                    String name = call.body().string("name");
                    call.body().done();
                    return call.app().getVolume(call.caller(), call.project(), name);
                }),
                new Route(PROJECT + "volumes/create", Operation.CREATE_VOLUME, Route.Body.REQUIRED, call -> {
                    call.body().opaqueObject("configuration");
                    call.body().done();
                    return call.app().createVolume(call.caller(), call.project(), call.body().raw("configuration"));
                }),
                new Route(PROJECT + "volumes/delete", Operation.DELETE_VOLUMES, Route.Body.REQUIRED, call -> {
                    List<String> names = call.body().strings("names");
                    call.body().done();
                    call.app().deleteVolumes(call.caller(), call.project(), names);
                    return null;
                }),
                new Route(PROJECT + "exports/list", Operation.LIST_EXPORTS, Route.Body.NONE,
                        call -> call.app().listExports(call.caller(), call.project())),
                new Route(PROJECT + "exports/create", Operation.CHANGE_EXPORT, Route.Body.REQUIRED, call -> {
                    ignoreBody(call);
                    return call.app().changeExport(call.caller(), call.project());
                }),
                new Route(PROJECT + "exports/update", Operation.CHANGE_EXPORT, Route.Body.REQUIRED, call -> {
                    ignoreBody(call);
                    return call.app().changeExport(call.caller(), call.project());
                }),
                new Route(PROJECT + "exports/delete", Operation.DELETE_EXPORT, Route.Body.REQUIRED, call -> {
                    String name = call.body().string("name");
                    call.body().done();
                    call.app().deleteExport(call.caller(), call.project(), name);
                    return null;
                }),
                new Route(PROJECT + "imports/list", Operation.LIST_IMPORTS, Route.Body.NONE,
                        call -> call.app().listImports(call.caller(), call.project())),
                new Route(PROJECT + "imports/delete", Operation.DELETE_IMPORT, Route.Body.REQUIRED, call -> {
                    String exportName = call.body().string("export_name");
                    String exportProject = call.body().string("export_project_name");
                    call.body().done();
                    call.app().deleteImport(call.caller(), call.project(), exportName, exportProject);
                    return null;
                }),
                new Route(PROJECT + "templates/list", Operation.LIST_TEMPLATES, Route.Body.NONE,
                        call -> call.app().listTemplates(call.caller(), call.project())),
                new Route(PROJECT + "instances/get_instance_health_checks", Operation.GET_INSTANCE_HEALTH_CHECKS,
                        Route.Body.REQUIRED, call -> {
                            Fields body = call.body();
                            String fleetName = body.string("fleet_name");
                            int instanceNum = body.integer("instance_num");
                            body.optInstant("after");
                            body.optInstant("before");
                            body.optInteger("limit", null, null);
                            body.done();
                            return DstackJson.mapper().createObjectNode().set("health_checks", DstackJson.mapper()
                                    .valueToTree(call.app().instanceHealthChecks(call.caller(), call.project(),
                                            fleetName, instanceNum)));
                        }),
                new Route("/api/sshproxy/get_upstream", null, Route.Body.OPTIONAL, call -> {
                    // dstack answers 403 whenever SSHPROXY_API_TOKEN is unset; this server runs no SSH proxy.
                    throw HttpProblem.accessDenied();
                }));
    }

    /** Marks every field of the body as read: the request is refused or answered whatever it holds. */
    private static void ignoreBody(Call call) {
        call.body().node().fieldNames().forEachRemaining(call.body()::raw);
        call.body().done();
    }
}
