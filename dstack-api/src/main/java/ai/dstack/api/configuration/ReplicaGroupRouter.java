package ai.dstack.api.configuration;

import java.util.Objects;

/** {@code router:} of a replica group: the replicas of this group route requests to the other groups. */
public record ReplicaGroupRouter(RouterType type) {
    public ReplicaGroupRouter {
        Objects.requireNonNull(type, "type is null");
    }
}
