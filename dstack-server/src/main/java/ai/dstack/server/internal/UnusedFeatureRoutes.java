package ai.dstack.server.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.json.DstackJson;
import java.util.List;

/**
 * Endpoints of dstack's API for features this server has nothing for yet: volumes (no backend creates them), exports
 * and imports, UI templates, instance health checks, the SSH proxy. Reads answer what is true here (empty
 * lists, "not found"); writes are refused with a 400 that says why, so clients never meet a 404 for a known route.
 */
final class UnusedFeatureRoutes {
    private static final String PROJECT = "/api/project/{project_name}/";

    private UnusedFeatureRoutes() {}

    static List<Route> all() {
        return List.of(
                new Route("/api/auth/get_next_redirect", Need.NOTHING, Route.Body.REQUIRED, call -> {
                    call.body().string("code");
                    call.body().string("state");
                    call.body().done();
                    // No OAuth provider is installed, so no state this server could have issued exists.
                    throw new DstackException(ErrorCode.ERROR, "Invalid state token");
                }),
                new Route("/api/volumes/list", Need.AUTHENTICATED, Route.Body.REQUIRED, call -> {
                    Fields body = call.body();
                    body.optString("project_name");
                    body.bool("only_active", false);
                    body.optInstant("prev_created_at");
                    body.optUuid("prev_id");
                    body.integer("limit", 100, 0, 100);
                    body.bool("ascending", false);
                    body.done();
                    return List.of();
                }),
                new Route(PROJECT + "volumes/list", Need.PROJECT_MEMBER, Route.Body.NONE, call -> List.of()),
                new Route(PROJECT + "volumes/get", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    call.body().string("name");
                    call.body().done();
                    throw new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found");
                }),
                new Route(PROJECT + "volumes/create", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    call.body().opaqueObject("configuration");
                    call.body().done();
                    throw new DstackException(ErrorCode.ERROR, "Creating volumes is not supported by this server yet:"
                            + " it has no backend that provisions volumes");
                }),
                new Route(PROJECT + "volumes/delete", Need.PROJECT_MEMBER, Route.Body.REQUIRED, call -> {
                    call.body().strings("names");
                    call.body().done();
                    return null; // there are no volumes, so none of the names exists; dstack ignores unknown names
                }),
                new Route(PROJECT + "exports/list", Need.PROJECT_MEMBER, Route.Body.NONE, call -> List.of()),
                new Route(PROJECT + "exports/create", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
                    ignoreBody(call);
                    throw notSupported("Exporting fleets and gateways to other projects");
                }),
                new Route(PROJECT + "exports/update", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
                    ignoreBody(call);
                    throw notSupported("Exporting fleets and gateways to other projects");
                }),
                new Route(PROJECT + "exports/delete", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
                    call.body().string("name");
                    call.body().done();
                    throw new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found");
                }),
                new Route(PROJECT + "imports/list", Need.PROJECT_MEMBER, Route.Body.NONE, call -> List.of()),
                new Route(PROJECT + "imports/delete", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
                    call.body().string("export_name");
                    call.body().string("export_project_name");
                    call.body().done();
                    throw new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found");
                }),
                new Route(PROJECT + "templates/list", Need.PROJECT_MEMBER, Route.Body.NONE, call -> List.of()),
                new Route(PROJECT + "instances/get_instance_health_checks", Need.PROJECT_MEMBER, Route.Body.REQUIRED,
                        call -> {
                            Fields body = call.body();
                            body.string("fleet_name");
                            body.integer("instance_num");
                            body.optInstant("after");
                            body.optInstant("before");
                            body.optInteger("limit", null, null);
                            body.done();
                            return DstackJson.mapper().createObjectNode()
                                    .set("health_checks", DstackJson.mapper().createArrayNode());
                        }),
                new Route("/api/sshproxy/get_upstream", Need.NOTHING, Route.Body.OPTIONAL, call -> {
                    // dstack answers 403 whenever SSHPROXY_API_TOKEN is unset; this server runs no SSH proxy.
                    throw HttpProblem.accessDenied();
                }));
    }

    /** Marks every field of the body as read: the request is refused or answered whatever it holds. */
    private static void ignoreBody(Call call) {
        call.body().node().fieldNames().forEachRemaining(call.body()::raw);
        call.body().done();
    }

    private static DstackException notSupported(String what) {
        return new DstackException(ErrorCode.ERROR, what + " is not supported by this server yet");
    }
}
