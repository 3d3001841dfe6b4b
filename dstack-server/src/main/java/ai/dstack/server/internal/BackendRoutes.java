package ai.dstack.server.internal;

import ai.dstack.core.app.Operation;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * dstack's backend routes: {@code /api/backends/list_types} and {@code /api/project/{p}/backends/...}, for project
 * admins. Bodies are validated with config.yml's schema; credentials are stored encrypted and never tried against
 * the cloud.
 */
final class BackendRoutes {
    private static final String PROJECT = "/api/project/{project_name}/backends/";

    private BackendRoutes() {}

    static List<Route> all(List<String> types) {
        List<Route> routes = new ArrayList<>();
        routes.add(new Route(PROJECT + "create", Operation.CREATE_BACKEND, Route.Body.REQUIRED, call -> {
            JsonNode config = call.body().whole();
            call.body().done();
            return call.app().createBackend(call.caller(), call.project(), config);
        }));
        routes.add(new Route(PROJECT + "update", Operation.UPDATE_BACKEND, Route.Body.REQUIRED, call -> {
            JsonNode config = call.body().whole();
            call.body().done();
            return call.app().updateBackend(call.caller(), call.project(), config);
        }));
        routes.add(new Route(PROJECT + "delete", Operation.DELETE_BACKENDS, Route.Body.REQUIRED, call -> {
            List<String> names = call.body().strings("backends_names");
            call.body().done();
            call.app().deleteBackends(call.caller(), call.project(), names);
            return null;
        }));
        routes.add(new Route(PROJECT + "create_yaml", Operation.CREATE_BACKEND, Route.Body.REQUIRED, call -> {
            String yaml = call.body().string("config_yaml");
            call.body().done();
            call.app().createBackendYaml(call.caller(), call.project(), yaml);
            return null;
        }));
        routes.add(new Route(PROJECT + "update_yaml", Operation.UPDATE_BACKEND, Route.Body.REQUIRED, call -> {
            String yaml = call.body().string("config_yaml");
            call.body().done();
            call.app().updateBackendYaml(call.caller(), call.project(), yaml);
            return null;
        }));
        // The backend's name is a path segment: one route per type keeps the router free of extra parameters.
        for (String type : types) {
            routes.add(new Route(PROJECT + type + "/config_info", Operation.GET_BACKEND, Route.Body.NONE,
                    call -> call.app().backendConfig(call.caller(), call.project(), type)));
            routes.add(new Route(PROJECT + type + "/get_yaml", Operation.GET_BACKEND, Route.Body.NONE, call -> {
                String yaml = call.app().backendYaml(call.caller(), call.project(), type);
                Map<String, String> reply = new LinkedHashMap<>();
                reply.put("name", type);
                reply.put("config_yaml", yaml);
                return reply;
            }));
        }
        return routes;
    }
}
