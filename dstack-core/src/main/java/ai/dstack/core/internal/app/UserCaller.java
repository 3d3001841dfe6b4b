package ai.dstack.core.internal.app;

import ai.dstack.core.app.Caller;
import ai.dstack.core.internal.operations.Users;
import ai.dstack.spi.storage.UserRow;

/** A caller as authenticated: its user row as it was then. */
record UserCaller(UserRow user) implements Caller {
    @Override
    public String username() {
        return user.name();
    }

    @Override
    public boolean isGlobalAdmin() {
        return Users.isAdmin(user);
    }

    @Override
    public String toString() {
        return "Caller[" + user.name() + "]";
    }
}
