package ai.dstack.core.internal.app;

import ai.dstack.core.app.Caller;
import ai.dstack.core.internal.engine.Accounts;
import ai.dstack.spi.storage.UserRow;

/** A caller as authenticated: its user row as it was then. */
record UserCaller(UserRow user) implements Caller {
    @Override
    public String username() {
        return user.name();
    }

    @Override
    public boolean isGlobalAdmin() {
        return Accounts.isAdmin(user);
    }

    @Override
    public String toString() {
        return "Caller[" + user.name() + "]";
    }
}
