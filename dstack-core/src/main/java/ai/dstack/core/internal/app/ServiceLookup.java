package ai.dstack.core.internal.app;

import ai.dstack.api.DstackException;
import ai.dstack.core.app.DstackApp;
import ai.dstack.core.app.Operation;
import ai.dstack.core.app.ServiceDirectory;
import ai.dstack.core.app.ServiceTarget;
import ai.dstack.core.internal.wiring.Engine;
import ai.dstack.core.internal.operations.ServiceEndpoints;
import ai.dstack.spi.storage.ProjectRow;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@link ServiceDirectory} over the engine's services; access goes through the application's permission check. */
public final class ServiceLookup implements ServiceDirectory {
    private final Engine engine;
    private final DstackApp app;

    public ServiceLookup(Engine engine, DstackApp app) {
        this.engine = engine;
        this.app = app;
    }

    @Override
    public Optional<String> project(String name) {
        return engine.projects().find(name).map(ProjectRow::name);
    }

    @Override
    public Optional<ServiceTarget> find(String project, String runName) {
        return engine.projects().find(project).flatMap(p -> engine.serviceEndpoints().find(p, runName)).map(ServiceLookup::view);
    }

    @Override
    public List<ServiceTarget> models(String project) {
        return engine.projects().find(project).map(p -> engine.serviceEndpoints().models(p).stream().map(ServiceLookup::view)
                .toList()).orElse(List.of());
    }

    @Override
    public boolean mayUse(String token, String project) {
        if (token == null) {
            return false;
        }
        try {
            app.authorize(app.authenticate(token), Operation.USE_SERVICES, project);
            return true;
        } catch (DstackException e) {
            return false;
        }
    }

    @Override
    public void recordRequest(UUID runId) {
        engine.serviceEndpoints().recordRequest(runId);
    }

    private static ServiceTarget view(ServiceEndpoints.Target t) {
        return new ServiceTarget(t.runId(), t.projectName(), t.runName(), t.submittedAt(), t.auth(), t.stripPrefix(),
                t.model(), t.replicas());
    }
}
