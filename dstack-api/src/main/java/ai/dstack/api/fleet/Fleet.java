package ai.dstack.api.fleet;

import ai.dstack.api.instance.Instance;
import ai.dstack.api.json.internal.Values;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A fleet as dstack's API returns it.
 *
 * @param instances the fleet's instances that are not deleted, by instance number
 */
public record Fleet(
        UUID id,
        String name,
        String projectName,
        FleetSpec spec,
        Instant createdAt,
        FleetStatus status,
        String statusMessage,
        List<Instance> instances) {
    public Fleet {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(projectName, "projectName is null");
        Objects.requireNonNull(spec, "spec is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(status, "status is null");
        instances = Values.list(instances);
    }
}
