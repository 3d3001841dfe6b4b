package ai.dstack.core.app;

import ai.dstack.api.configuration.ServiceModel;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A service run as the proxy reaches it.
 *
 * @param auth whether callers need a project member's token
 * @param model the model it publishes, or null
 * @param replicas the addresses of its ready replicas, in replica order; empty while none is ready
 */
public record ServiceTarget(UUID runId, String projectName, String runName, Instant submittedAt, boolean auth,
        boolean stripPrefix, ServiceModel model, List<InetSocketAddress> replicas) {
    public ServiceTarget {
        replicas = List.copyOf(replicas);
    }
}
