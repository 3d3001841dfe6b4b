package ai.dstack.storage.internal;

import ai.dstack.spi.storage.Lease;
import ai.dstack.spi.storage.PipelineStore;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.statement.Query;

/** Insert, find and the two guarded updates, shared by the tables that background processing claims. */
abstract class JdbcPipelineStore<R extends Record> implements PipelineStore<R> {
    protected final TxContext tx;
    private final PipelineTable<R> table;
    private final String updateSql;
    /** The update that also clears the lease, as {@code release} does. */
    private final String updateAndReleaseSql;

    JdbcPipelineStore(TxContext tx, PipelineTable<R> table) {
        this.tx = tx;
        this.table = table;
        this.updateSql = updateSql(table);
        this.updateAndReleaseSql = updateSql.replace(" WHERE id = :id",
                ", lock_owner = NULL, lock_token = NULL, lock_expires_at = NULL WHERE id = :id");
    }

    /** The full-row update by id; a table whose columns some writer changes on its own leaves them out. */
    String updateSql(PipelineTable<R> table) {
        return table.sql().updateById(Set.of());
    }

    /** How an existing row is named in messages, e.g. {@code Run 1f0...}. */
    abstract String describe(R row);

    @Override
    public void insert(R row) {
        Inserts.insert(tx, insertSql(), Objects.requireNonNull(row, "row is null"), describe(row));
    }

    /** The {@code INSERT ... ON CONFLICT DO NOTHING} of a row, bound with the record's components. */
    String insertSql() {
        return table.sql().insertIfAbsent();
    }

    @Override
    public Optional<R> find(UUID id) {
        return query("SELECT * FROM " + table.table() + " WHERE id = :id").bind("id", id).mapTo(rowType()).findOne();
    }

    @Override
    public boolean update(R row, Lease lease) {
        return update(updateSql, row, lease);
    }

    @Override
    public boolean updateAndRelease(R row, Lease lease) {
        return update(updateAndReleaseSql, row, lease);
    }

    private boolean update(String sql, R row, Lease lease) {
        Objects.requireNonNull(row, "row is null");
        Objects.requireNonNull(lease, "lease is null");
        if (!lease.kind().equals(table.kind()) || !lease.id().equals(table.id().apply(row))) {
            throw new IllegalArgumentException("The lease is for " + lease.kind() + " " + lease.id()
                    + ", not for " + table.kind() + " " + table.id().apply(row));
        }
        return tx.handle().createUpdate(sql + " AND lock_token = :leaseToken")
                .bindMethods(row)
                .bind("leaseToken", lease.token())
                .execute() == 1;
    }

    @Override
    public boolean updateIfNotLeased(R row, Instant now) {
        Objects.requireNonNull(row, "row is null");
        Objects.requireNonNull(now, "now is null");
        return tx.handle().createUpdate(updateSql + " AND (lock_expires_at IS NULL OR lock_expires_at < :leaseNow)")
                .bindMethods(row)
                .bind("leaseNow", now)
                .execute() == 1;
    }

    Query query(String sql) {
        return tx.handle().createQuery(sql);
    }

    Class<R> rowType() {
        return table.kind().rowType();
    }

    String tableName() {
        return table.table();
    }
}
