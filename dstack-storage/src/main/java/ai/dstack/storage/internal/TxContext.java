package ai.dstack.storage.internal;

import ai.dstack.spi.storage.EventRow;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** The handle of one transaction, usable only until the transaction's callback returns. */
final class TxContext {
    private final Handle handle;
    private final Dialect dialect;
    private boolean open = true;
    /** Events held back to be written together just before the transaction commits. */
    private final List<EventRow> heldEvents = new ArrayList<>();

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

    /** Holds the event back until the transaction commits (and drops it when the transaction fails first). */
    void holdEvent(EventRow event) {
        handle(); // refuses use after the transaction
        heldEvents.add(event);
    }

    /** Writes the held events now, so that a query in this transaction sees them. */
    void writeHeldEvents() {
        if (!heldEvents.isEmpty()) {
            HeldEvents.write(handle(), heldEvents);
            heldEvents.clear();
        }
    }

    /**
     * Called as the transaction's callback returns: the held events are written now, or handed to the group commit
     * that carries this transaction, which writes every caller's events together before it commits.
     */
    void flush() {
        if (!heldEvents.isEmpty() && !GroupCommit.holdForGroup(heldEvents)) {
            writeHeldEvents();
        }
        heldEvents.clear();
    }

    void close() {
        open = false;
    }
}
