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
    /** Leases renewed by one heartbeat statement: a few hundred keeps each statement and its locks short. */
    private static final int HEARTBEAT_CHUNK = 200;

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
        // A statement per table and chunk, each in a transaction of its own. Row by row in one transaction (as this
        // was), renewing the thousands of leases of jobs queued for host calls held every row's lock for seconds, and
        // each job's own write after its call waited behind it (measured: up to 13 s on PostgreSQL).
        java.util.Map<String, List<Lease>> byTable = new java.util.LinkedHashMap<>();
        for (Lease lease : leases) {
            byTable.computeIfAbsent(JdbcLeaseStore.table(lease), table -> new ArrayList<>()).add(lease);
        }
        List<Lease> renewed = new ArrayList<>();
        for (java.util.Map.Entry<String, List<Lease>> table : byTable.entrySet()) {
            List<Lease> all = table.getValue();
            for (int from = 0; from < all.size(); from += HEARTBEAT_CHUNK) {
                List<Lease> chunk = all.subList(from, Math.min(all.size(), from + HEARTBEAT_CHUNK));
                renewed.addAll(guarded("Heartbeating leases",
                        () -> write(handle -> renew(handle, table.getKey(), chunk, expiresAt))));
            }
        }
        return List.copyOf(renewed);
    }

    private List<Lease> renew(Handle handle, String table, List<Lease> chunk, Instant expiresAt) {
        StringBuilder ids = new StringBuilder();
        StringBuilder pairs = new StringBuilder();
        for (int i = 0; i < chunk.size(); i++) {
            ids.append(i == 0 ? "" : ", ").append(":id").append(i);
            pairs.append(i == 0 ? "" : ", ").append("(:id").append(i).append(", :token").append(i).append(')');
        }
        // The ids alone find the rows by the primary key; the pairs alone would scan the table (SQLite's plan).
        String held = "id IN (" + ids + ") AND (id, lock_token) IN (VALUES " + pairs + ")";
        // PostgreSQL: a row another transaction is writing (a job's own write after its call, which lets the lease
        // go) is skipped rather than waited for; a lease still held then is renewed by the next heartbeat.
        String where = url.dialect() == Dialect.POSTGRES
                ? "id IN (SELECT id FROM " + table + " WHERE " + held + " FOR NO KEY UPDATE SKIP LOCKED)"
                : held;
        org.jdbi.v3.core.statement.Query query = handle.createQuery("UPDATE " + table
                + " SET lock_expires_at = :expiresAt WHERE " + where + " RETURNING id, lock_token")
                .bind("expiresAt", expiresAt);
        for (int i = 0; i < chunk.size(); i++) {
            query.bind("id" + i, chunk.get(i).id()).bind("token" + i, chunk.get(i).token());
        }
        // Two leases of one row may be asked for (a stale one and the current one): the token tells them apart.
        java.util.Set<List<UUID>> updated = new java.util.HashSet<>(query.map((rows, ctx) -> List.of(
                ctx.findColumnMapperFor(UUID.class).orElseThrow().map(rows, 1, ctx),
                ctx.findColumnMapperFor(UUID.class).orElseThrow().map(rows, 2, ctx))).list());
        return chunk.stream().filter(lease -> updated.contains(List.of(lease.id(), lease.token())))
                .map(lease -> lease.withExpiresAt(expiresAt)).toList();
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
