package ai.dstack.storage.internal;

import ai.dstack.api.DstackException;
import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.ClaimOrder;
import ai.dstack.spi.storage.Lease;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StoreOptions;
import ai.dstack.spi.storage.StoreStatistics;
import ai.dstack.spi.storage.TransactionCallback;
import ai.dstack.spi.storage.WorkKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link StateStore} over JDBC: SQLite or PostgreSQL, chosen by the URL. */
public final class JdbcStateStore implements StateStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStateStore.class);
    private static final int MAX_OWNER_LENGTH = 100; // lock_owner is VARCHAR(100), as in dstack

    private final DatabaseUrl url;
    private final Connections connections;
    /** Set while this thread is inside one of our transactions: they do not nest. */
    private final ThreadLocal<Boolean> inTransaction = ThreadLocal.withInitial(() -> false);
    private final AtomicBoolean closed = new AtomicBoolean();

    private JdbcStateStore(DatabaseUrl url, Connections connections) {
        this.url = url;
        this.connections = connections;
    }

    public static JdbcStateStore open(DatabaseUrl url, StoreOptions options) {
        Objects.requireNonNull(url, "url is null");
        Objects.requireNonNull(options, "options is null");
        Connections connections = switch (url.dialect()) {
            case SQLITE -> SqliteConnections.open(url, options);
            case POSTGRES -> PostgresConnections.open(url, options);
        };
        JdbcStateStore store = new JdbcStateStore(url, connections);
        LOG.info("Opened the state store on {}", store.description());
        return store;
    }

    @Override
    public void migrate() {
        guarded("Migrating the schema", () -> {
            try {
                connections.migrate();
            } catch (FlywayException e) {
                throw StoreErrors.failed(url, "Migrating the schema", e);
            }
            return null;
        });
    }

    @Override
    public <R, X extends Exception> R inTransaction(TransactionCallback<R, X> callback) throws X {
        Objects.requireNonNull(callback, "callback is null");
        return guardedChecked("A transaction", () -> write(handle -> run(handle, callback)));
    }

    @Override
    public <R, X extends Exception> R inReadOnlyTransaction(TransactionCallback<R, X> callback) throws X {
        Objects.requireNonNull(callback, "callback is null");
        return guardedChecked("A read-only transaction", () -> connections.read(handle -> run(handle, callback)));
    }

    private <R, X extends Exception> R run(Handle handle, TransactionCallback<R, X> callback) throws X {
        TxContext tx = new TxContext(handle, url.dialect());
        try {
            R result = callback.withTransaction(new JdbcStoreTransaction(tx));
            tx.flush();
            return result;
        } finally {
            tx.close();
        }
    }

    @Override
    public <R> List<Claim<R>> claimDue(
            WorkKind<R> kind, ClaimFilter filter, Instant now, int limit, String owner, Duration leaseDuration) {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(filter, "filter is null");
        Objects.requireNonNull(now, "now is null");
        checkOwnerAndLease(owner, leaseDuration);
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0: " + limit);
        }
        if (filter.order() == ClaimOrder.HIGHEST_PRIORITY_FIRST && !kind.hasPriority()) {
            throw new IllegalArgumentException(kind + " have no priority to order claims by");
        }
        if (limit == 0) {
            return List.of();
        }
        return guarded("Claiming " + kind, () -> write(handle -> new Claimer(handle, url.dialect())
                .claimDue(PipelineTable.of(kind), filter, now, limit, owner, leaseDuration)));
    }

    @Override
    public <R> Optional<Claim<R>> claim(
            WorkKind<R> kind, UUID id, Instant now, String owner, Duration leaseDuration) {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(now, "now is null");
        checkOwnerAndLease(owner, leaseDuration);
        return guarded("Claiming " + kind, () -> write(handle -> new Claimer(handle, url.dialect())
                .claimById(PipelineTable.of(kind), id, now, owner, leaseDuration)));
    }

    @Override
    public <R> List<Claim<R>> claimAll(
            WorkKind<R> kind, Collection<UUID> ids, Instant now, String owner, Duration leaseDuration) {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(ids, "ids is null");
        Objects.requireNonNull(now, "now is null");
        checkOwnerAndLease(owner, leaseDuration);
        if (ids.isEmpty()) {
            return List.of();
        }
        return guarded("Claiming " + kind, () -> write(handle -> new Claimer(handle, url.dialect())
                .claimByIds(PipelineTable.of(kind), ids, now, owner, leaseDuration)));
    }

    @Override
    public List<Lease> heartbeat(Collection<Lease> leases, Instant now, Duration leaseDuration) {
        Objects.requireNonNull(leases, "leases is null");
        Objects.requireNonNull(now, "now is null");
        checkLease(leaseDuration);
        if (leases.isEmpty()) {
            return List.of();
        }
        Instant expiresAt = now.plus(leaseDuration);
        return guarded("Heartbeating leases", () -> write(handle -> {
            List<Lease> renewed = new ArrayList<>();
            for (Lease lease : leases) {
                int updated = handle.createUpdate("UPDATE " + JdbcLeaseStore.table(lease)
                                + " SET lock_expires_at = :expiresAt WHERE id = :id AND lock_token = :token")
                        .bind("expiresAt", expiresAt)
                        .bind("id", lease.id())
                        .bind("token", lease.token())
                        .execute();
                if (updated == 1) {
                    renewed.add(lease.withExpiresAt(expiresAt));
                }
            }
            return List.copyOf(renewed);
        }));
    }

    /** Every read-write transaction goes through here. */
    private <R, X extends Exception> R write(HandleCallback<R, X> callback) throws X {
        return connections.write(callback);
    }

    @Override
    public StoreStatistics statistics() {
        return new StoreStatistics(connections.statements.sum(), connections.writeTransactions.sum());
    }

    @Override
    public boolean sharedByReplicas() {
        return url.dialect() == Dialect.POSTGRES;
    }

    @Override
    public String description() {
        return url.dialect().displayName() + " " + url.display();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            connections.close();
        }
    }

    @Override
    public String toString() {
        return "JdbcStateStore{" + description() + "}";
    }

    private static void checkOwnerAndLease(String owner, Duration leaseDuration) {
        Objects.requireNonNull(owner, "owner is null");
        if (owner.isBlank() || owner.length() > MAX_OWNER_LENGTH) {
            throw new IllegalArgumentException(
                    "owner must be 1 to " + MAX_OWNER_LENGTH + " characters: '" + owner + "'");
        }
        checkLease(leaseDuration);
    }

    private static void checkLease(Duration leaseDuration) {
        Objects.requireNonNull(leaseDuration, "leaseDuration is null");
        if (leaseDuration.isNegative() || leaseDuration.isZero()) {
            throw new IllegalArgumentException("leaseDuration <= 0: " + leaseDuration);
        }
    }

    private <R> R guarded(String doing, Supplier<R> work) {
        return guardedChecked(doing, work::get);
    }

    /** Refuses nesting and use after close, and words database failures as {@link DstackException}s. */
    private <R, X extends Exception> R guardedChecked(String doing, CheckedSupplier<R, X> work) throws X {
        if (closed.get()) {
            throw new IllegalStateException("The state store on " + description() + " is closed");
        }
        if (inTransaction.get()) {
            throw new IllegalStateException(doing + " was started inside another transaction of the state store; "
                    + "transactions do not nest: use the StoreTransaction you were given");
        }
        inTransaction.set(true);
        try {
            return work.get();
        } catch (JdbiException e) {
            throw StoreErrors.failed(url, doing, e);
        } finally {
            inTransaction.set(false);
        }
    }

    @FunctionalInterface
    private interface CheckedSupplier<R, X extends Exception> {
        R get() throws X;
    }
}
