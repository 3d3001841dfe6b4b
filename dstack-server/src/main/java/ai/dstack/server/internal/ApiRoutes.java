package ai.dstack.server.internal;

import ai.dstack.api.server.ServerInfo;
import ai.dstack.core.app.DstackApp;
import ai.dstack.core.app.Operation;
import java.util.ArrayList;
import java.util.List;

/** Every route of the API, by area. */
final class ApiRoutes {
    private ApiRoutes() {}

    /** @param serverVersion the version this server reports, which may differ from the engine's (null in development) */
    static List<Route> all(DstackApp app, String serverVersion) {
        List<Route> routes = new ArrayList<>();
        routes.add(new Route("/api/server/get_info", Operation.SERVER_INFO, Route.Body.NONE, call -> new ServerInfo(serverVersion)));
        List<String> backendTypes = app.backendTypes();
        routes.add(new Route("/api/backends/list_types", Operation.LIST_BACKEND_TYPES, Route.Body.NONE,
                call -> call.app().backendTypes()));
        // No OAuth provider is installed.
        routes.add(new Route("/api/auth/list_providers", null, Route.Body.NONE, call -> List.of()));
        routes.addAll(UserRoutes.all());
        routes.addAll(ProjectRoutes.all());
        routes.addAll(RunRoutes.all());
        routes.addAll(ProjectResourceRoutes.all());
        routes.addAll(FleetRoutes.all());
        routes.addAll(BackendRoutes.all(backendTypes));
        routes.addAll(PublicKeyRoutes.all());
        routes.addAll(UploadRoutes.all());
        routes.addAll(GpuRoutes.all());
        routes.addAll(MetricsRoutes.all());
        routes.addAll(PlaceholderRoutes.all());
        return routes;
    }
}
