package ai.dstack.spi.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Backends configured in a project, at most one per type: table {@code backends}. */
public interface BackendStore {
    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the project has this type already */
    void insert(BackendRow backend);

    Optional<BackendRow> find(UUID projectId, String type);

    /** The project's backends by type. */
    List<BackendRow> list(UUID projectId);

    /** Writes every column but the id and project. False if there is no such backend. */
    boolean update(BackendRow backend);

    /** False if there was no such backend. */
    boolean delete(UUID projectId, String type);
}
