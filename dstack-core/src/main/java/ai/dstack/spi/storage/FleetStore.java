package ai.dstack.spi.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Fleets: table {@code fleets}. Deletion is the {@code deleted} flag. */
public interface FleetStore extends PipelineStore<FleetRow> {

    /** The fleet with this name in the project that is not deleted. */
    Optional<FleetRow> findByName(UUID projectId, String name);

    /** The project's fleets that are not deleted, by name. */
    List<FleetRow> listByProject(UUID projectId);
}
