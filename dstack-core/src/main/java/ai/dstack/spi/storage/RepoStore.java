package ai.dstack.spi.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Repos known to a project, by repo id ({@code name}): table {@code repos}. */
public interface RepoStore {
    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the project has this name already */
    void insert(RepoRow repo);

    Optional<RepoRow> find(UUID projectId, String name);

    /** The project's repos by name. */
    List<RepoRow> list(UUID projectId);

    /** Writes every column but the id and project. False if there is no such repo. */
    boolean update(RepoRow repo);

    /** False if there was no such repo. */
    boolean delete(UUID projectId, String name);
}
