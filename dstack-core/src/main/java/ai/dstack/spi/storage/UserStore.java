package ai.dstack.spi.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Users: table {@code users}. */
public interface UserStore {
    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the name or token is taken */
    void insert(UserRow user);

    Optional<UserRow> find(UUID id);

    Optional<UserRow> findByName(String name);

    /** The user whose {@code token_hash} is {@code tokenHash}, whatever its active/deleted flags. */
    Optional<UserRow> findByTokenHash(String tokenHash);

    /** All users, deleted ones included, by name. */
    List<UserRow> list();

    /** Writes every column but the id. False if there is no such user. */
    boolean update(UserRow user);
}
