package ai.dstack.api.user;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A user as dstack's API returns it.
 *
 * @param createdAt null from older servers
 * @param sshPublicKey the public half of the user's SSH key pair, or null before one is generated
 */
public record User(
        UUID id,
        String username,
        Instant createdAt,
        GlobalRole globalRole,
        String email,
        boolean active,
        UserPermissions permissions,
        String sshPublicKey) {
    public User {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(username, "username is null");
        Objects.requireNonNull(globalRole, "globalRole is null");
        Objects.requireNonNull(permissions, "permissions is null");
    }
}
