package ai.dstack.spi.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A project's secrets: table {@code secrets}. Values are stored as given; encryption belongs to the caller. */
public interface SecretStore {
    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the project has this name already */
    void insert(SecretRow secret);

    Optional<SecretRow> find(UUID projectId, String name);

    /** The project's secrets by name. */
    List<SecretRow> list(UUID projectId);

    /** Writes every column but the id and project. False if there is no such secret. */
    boolean update(SecretRow secret);

    /** False if there was no such secret. */
    boolean delete(UUID projectId, String name);
}
