package ai.dstack.core.app;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The services of the engine's projects, for a proxy in front of them. Thread-safe. */
public interface ServiceDirectory {
    /** The name of the project as stored (names compare case-insensitively), or empty when there is none. */
    Optional<String> project(String name);

    /** The active service run of that name in the project, or empty (no such project or run, finished, not a service). */
    Optional<ServiceTarget> find(String project, String runName);

    /** The project's active services that publish a model. */
    List<ServiceTarget> models(String project);

    /** Whether the token's user may call the project's services ({@link Operation#USE_SERVICES}); false for no token. */
    boolean mayUse(String token, String project);

    /** Counts a request for the autoscaler. */
    void recordRequest(UUID runId);
}
