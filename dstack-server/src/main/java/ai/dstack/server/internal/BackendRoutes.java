package ai.dstack.server.internal;

import ai.dstack.core.internal.config.BackendConfig;
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
        routes.add(new Route(PROJECT + "create", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
            BackendConfig config = call.engine().backendConfigs().parseJson(call.body().whole());
            call.body().done();
            return call.engine().backendConfigs().create(call.project(), config).withCreds();
        }));
        routes.add(new Route(PROJECT + "update", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
            BackendConfig config = call.engine().backendConfigs().parseJson(call.body().whole());
            call.body().done();
            return call.engine().backendConfigs().update(call.project(), config).withCreds();
        }));
        routes.add(new Route(PROJECT + "delete", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
            List<String> names = call.body().strings("backends_names");
            call.body().done();
            call.engine().backendConfigs().delete(call.project(), names);
            return null;
        }));
        routes.add(new Route(PROJECT + "create_yaml", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
            String yaml = call.body().string("config_yaml");
            call.body().done();
            call.engine().backendConfigs().create(call.project(), call.engine().backendConfigs().parseYaml(yaml));
            return null;
        }));
        routes.add(new Route(PROJECT + "update_yaml", Need.PROJECT_ADMIN, Route.Body.REQUIRED, call -> {
            String yaml = call.body().string("config_yaml");
            call.body().done();
            call.engine().backendConfigs().update(call.project(), call.engine().backendConfigs().parseYaml(yaml));
            return null;
        }));
        // The backend's name is a path segment: one route per type keeps the router free of extra parameters.
        for (String type : types) {
            routes.add(new Route(PROJECT + type + "/config_info", Need.PROJECT_ADMIN, Route.Body.NONE,
                    call -> call.engine().backendConfigs().get(call.project(), type).withCreds()));
            routes.add(new Route(PROJECT + type + "/get_yaml", Need.PROJECT_ADMIN, Route.Body.NONE, call -> {
                BackendConfig config = call.engine().backendConfigs().get(call.project(), type);
                Map<String, String> reply = new LinkedHashMap<>();
                reply.put("name", type);
                reply.put("config_yaml", call.engine().backendConfigs().yaml(config));
                return reply;
            }));
        }
        return routes;
    }
}
