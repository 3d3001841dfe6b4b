package ai.dstack.storage.internal;

import org.jdbi.v3.core.Handle;

/** The handle of one transaction, usable only until the transaction's callback returns. */
final class TxContext {
    private final Handle handle;
    private final Dialect dialect;
    private boolean open = true;

    TxContext(Handle handle, Dialect dialect) {
        this.handle = handle;
        this.dialect = dialect;
    }

    Handle handle() {
        if (!open) {
            throw new IllegalStateException("This StoreTransaction was used after its transaction ended; "
                    + "use the stores only inside the callback they were passed to");
        }
        return handle;
    }

    Dialect dialect() {
        return dialect;
    }

    void close() {
        open = false;
    }
}
