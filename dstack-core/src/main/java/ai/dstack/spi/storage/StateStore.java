package ai.dstack.spi.storage;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The engine's persistent state on one database. Safe for concurrent use from many threads: share one instance per
 * database and {@link #close()} it when the engine stops.
 *
 * <p>All reads and writes go through a transaction callback, so no connection or transaction escapes:
 *
 * <pre>{@code
 * store.useTransaction(tx -> {
 *     tx.runs().insert(run);
 *     tx.jobs().insert(job);
 * });
 * }</pre>
 *
 * <p><b>Work claiming.</b> Background processing takes rows of runs, jobs, instances and fleets with leases
 * ({@code lock_owner}, {@code lock_token}, {@code lock_expires_at} columns, as in dstack's pipelines):
 * {@link #claimDue} stamps a fresh token on due, unleased rows and returns them; the worker processes them outside
 * any transaction, extends the lease with {@link #heartbeat} while it works, then writes its results with
 * {@link PipelineStore#update(Object, Lease)}, which succeeds only while the token still matches, and ends with
 * {@link LeaseStore#release(Lease)}. A worker that dies simply stops heartbeating: its rows become claimable again
 * once the lease expires, and its late writes are refused because the token has changed.
 *
 * <p>Transactions do not nest: calling any method of this interface from inside a callback fails fast (on SQLite it
 * would otherwise wait for itself).
 */
public interface StateStore extends AutoCloseable {

    /**
     * Brings the schema to the version this library expects. Idempotent; safe to call from several processes at
     * once (they take turns).
     *
     * @throws ai.dstack.api.DstackException if a migration fails
     */
    void migrate();

    /**
     * Runs {@code callback} in one read-write transaction: committed if it returns, rolled back if it throws. Keep
     * callbacks short and free of network calls: on SQLite every writer waits for the one before it. After a store
     * method fails with anything but {@code RESOURCE_EXISTS}, let the exception end the transaction: PostgreSQL
     * refuses further statements in it.
     */
    <R, X extends Exception> R inTransaction(TransactionCallback<R, X> callback) throws X;

    /** {@link #inTransaction} without a result. */
    default <X extends Exception> void useTransaction(TransactionConsumer<X> callback) throws X {
        inTransaction(tx -> {
            callback.useTransaction(tx);
            return null;
        });
    }

    /**
     * Runs {@code callback} in a read-only transaction. On SQLite these run beside the single writer instead of
     * queueing behind it; writing from one fails.
     */
    <R, X extends Exception> R inReadOnlyTransaction(TransactionCallback<R, X> callback) throws X;

    /**
     * Claims up to {@code limit} due rows of {@code kind} that no one holds, in the filter's order, for
     * {@code leaseDuration} from {@code now}. A row can be claimed when its lease is absent or expired, and it is not
     * reserved for another owner (see {@link LeaseStore#requeue}). Claiming clears the row's
     * {@code skip_min_processing_interval} flag. Two concurrent callers never get the same row.
     *
     * @param owner who may keep the rows: typically the pipeline's name; it is recorded in {@code lock_owner}
     */
    <R> List<Claim<R>> claimDue(
            WorkKind<R> kind, ClaimFilter filter, Instant now, int limit, String owner, Duration leaseDuration);

    /**
     * Claims one row by id, whatever its status, if no one holds it. Used by API calls that must change a row the
     * background processing may be working on. Empty if the row does not exist or is leased.
     */
    <R> Optional<Claim<R>> claim(WorkKind<R> kind, UUID id, Instant now, String owner, Duration leaseDuration);

    /**
     * Claims the rows with these ids that exist and no one holds, in one transaction: what a loop does with the rows
     * it was told about, so that a burst of changes costs one write instead of one per row. The result is in no
     * particular order; ids that are missing or leased are left out.
     */
    default <R> List<Claim<R>> claimAll(
            WorkKind<R> kind, Collection<UUID> ids, Instant now, String owner, Duration leaseDuration) {
        List<Claim<R>> claims = new java.util.ArrayList<>();
        for (UUID id : ids) {
            claim(kind, id, now, owner, leaseDuration).ifPresent(claims::add);
        }
        return claims;
    }

    /**
     * Extends the given leases to {@code now + leaseDuration}. Returns the renewed leases: a lease whose token no
     * longer matches (someone else claimed the row after it expired) is left out and must not be used. A store with
     * row locks may also leave out, unrenewed, a lease whose row another transaction is writing at that moment rather
     * than wait for it: such a lease is still good, and a later call renews it.
     */
    List<Lease> heartbeat(Collection<Lease> leases, Instant now, Duration leaseDuration);

    /** Statements and write transactions sent to the database so far; {@link StoreStatistics#NONE} if not counted. */
    default StoreStatistics statistics() {
        return StoreStatistics.NONE;
    }

    /**
     * Whether other servers (replicas) may write this database too, so that what one of them keeps in memory about
     * users and projects can go stale without it knowing: true for PostgreSQL, false for a SQLite file.
     */
    default boolean sharedByReplicas() {
        return false;
    }

    /** The database this store writes to, for logs and messages: dialect and URL with the password masked. */
    String description();

    /** Closes the connection pools. Idempotent. */
    @Override
    void close();
}
