package ai.dstack.api.user;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link User} with its token and SSH private key, as {@code get_my_user} and token refreshes return it.
 * {@link #toString()} hides the private key (and {@link UserTokenCreds} the token).
 */
public record UserWithCreds(
        UUID id,
        String username,
        Instant createdAt,
        GlobalRole globalRole,
        String email,
        boolean active,
        UserPermissions permissions,
        String sshPublicKey,
        UserTokenCreds creds,
        String sshPrivateKey) {
    public UserWithCreds {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(username, "username is null");
        Objects.requireNonNull(globalRole, "globalRole is null");
        Objects.requireNonNull(permissions, "permissions is null");
        Objects.requireNonNull(creds, "creds is null");
    }

    /** The user without credentials. */
    public User user() {
        return new User(id, username, createdAt, globalRole, email, active, permissions, sshPublicKey);
    }

    @Override
    public String toString() {
        return "UserWithCreds[user=" + user() + ", creds=" + creds
                + ", sshPrivateKey=" + (sshPrivateKey == null ? null : "***") + "]";
    }
}
