package ai.dstack.api.user;

import java.util.Objects;

/** A user's API token. {@link #toString()} hides it. */
public record UserTokenCreds(String token) {
    public UserTokenCreds {
        Objects.requireNonNull(token, "token is null");
    }

    @Override
    public String toString() {
        return "UserTokenCreds[token=***]";
    }
}
