package ai.dstack.client;

import ai.dstack.api.user.GlobalRole;
import java.util.Objects;

/**
 * A user to create ({@code users/create}, global admins only). The server generates the user's token.
 *
 * <pre>{@code
 * User alice = client.createUser(NewUser.of("alice", GlobalRole.USER).withEmail("alice@example.com"));
 * }</pre>
 *
 * @param email null for none
 * @param active false creates the user disabled
 */
public record NewUser(String username, GlobalRole globalRole, String email, boolean active) {
    public NewUser {
        Objects.requireNonNull(username, "username is null");
        Objects.requireNonNull(globalRole, "globalRole is null");
        if (globalRole == GlobalRole.UNKNOWN) {
            throw new IllegalArgumentException("globalRole must be admin or user");
        }
    }

    /** An active user without email. */
    public static NewUser of(String username, GlobalRole globalRole) {
        return new NewUser(username, globalRole, null, true);
    }

    public NewUser withEmail(String email) {
        return new NewUser(username, globalRole, email, active);
    }

    public NewUser withActive(boolean active) {
        return new NewUser(username, globalRole, email, active);
    }
}
