package ai.dstack.storage.internal;

import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** The handle of one transaction, usable only until the transaction's callback returns. */
final class TxContext {
    private final Handle handle;
    private final Dialect dialect;
    private boolean open = true;
    /** Writes held back to be sent together, in one statement each, just before the transaction commits. */
    private final List<Runnable> beforeCommit = new ArrayList<>();

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

    /** Runs {@code flush} once before the transaction commits (and not at all when it fails first). */
    void beforeCommit(Runnable flush) {
        beforeCommit.add(flush);
    }

    /** Sends the held-back writes; called by the store as the transaction's callback returns. */
    void flush() {
        for (Runnable flush : beforeCommit) {
            flush.run();
        }
    }

    void close() {
        open = false;
    }
}
