package ai.dstack.spi.storage;

import java.time.Instant;

/** Lease bookkeeping inside a transaction, so that it commits together with the writes it guards. */
public interface LeaseStore {

    /**
     * Whether the lease's token is still on the row. On PostgreSQL the row stays locked until the transaction ends,
     * so a {@code true} answer holds for the rest of the transaction.
     */
    boolean holds(Lease lease);

    /** Ends the lease: clears owner, token and expiry. False if the token no longer matches. */
    boolean release(Lease lease);

    /**
     * Gives the row back for a quick retry by the same owner (dstack's reset-and-retry): clears token and expiry,
     * keeps {@code lock_owner} so that other owners leave the row alone, and sets {@code last_processed_at} to
     * {@code now}. False if the token no longer matches.
     */
    boolean requeue(Lease lease, Instant now);
}
