package ai.dstack.server.internal;

import ai.dstack.api.server.ServerInfo;
import ai.dstack.core.internal.operations.Users;
import ai.dstack.spi.storage.ProjectRow;
import java.util.ArrayList;
import java.util.List;

/** Every route of the API, by area. */
final class ApiRoutes {
    private ApiRoutes() {}

    static List<Route> all(String serverVersion) {
        List<Route> routes = new ArrayList<>();
        routes.add(new Route("/api/server/get_info", Need.NOTHING, Route.Body.NONE, call -> new ServerInfo(serverVersion)));
        // No OAuth provider is installed.
        List<String> backendTypes = ai.dstack.core.internal.config.BackendConfigReader.types();
        routes.add(new Route("/api/backends/list_types", Need.NOTHING, Route.Body.NONE, call -> backendTypes));
        routes.add(new Route("/api/auth/list_providers", Need.NOTHING, Route.Body.NONE, call -> List.of()));
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
        routes.addAll(UnusedFeatureRoutes.all());
        return routes;
    }

    /** The projects a caller's listings span: all for a global admin, its memberships otherwise. */
    static List<ProjectRow> memberProjects(Call call) {
        return Users.isAdmin(call.user()) ? call.engine().projects().all()
                : call.engine().projects().memberProjects(call.user());
    }
}
