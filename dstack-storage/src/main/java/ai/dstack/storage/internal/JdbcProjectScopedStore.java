package ai.dstack.storage.internal;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/** Rows named uniquely within a project (backends by type, repos and secrets by name). */
abstract class JdbcProjectScopedStore<R extends Record> {
    private final TxContext tx;
    private final RecordSql sql;
    private final Class<R> rowType;
    private final String keyColumn;
    private final Function<R, String> describe;
    private final String update;

    JdbcProjectScopedStore(
            TxContext tx, RecordSql sql, Class<R> rowType, String keyColumn, Function<R, String> describe) {
        this.tx = tx;
        this.sql = sql;
        this.rowType = rowType;
        this.keyColumn = keyColumn;
        this.describe = describe;
        this.update = sql.updateById(Set.of("projectId"));
    }

    public void insert(R row) {
        Objects.requireNonNull(row, "row is null");
        Inserts.insert(tx, sql, row, describe.apply(row));
    }

    public Optional<R> find(UUID projectId, String key) {
        return tx.handle().createQuery("SELECT * FROM " + sql.table()
                        + " WHERE project_id = :projectId AND " + keyColumn + " = :key")
                .bind("projectId", projectId)
                .bind("key", key)
                .mapTo(rowType)
                .findOne();
    }

    public List<R> list(UUID projectId) {
        return tx.handle().createQuery("SELECT * FROM " + sql.table()
                        + " WHERE project_id = :projectId ORDER BY " + keyColumn)
                .bind("projectId", projectId)
                .mapTo(rowType)
                .list();
    }

    public boolean update(R row) {
        return tx.handle().createUpdate(update).bindMethods(Objects.requireNonNull(row, "row is null")).execute() == 1;
    }

    public boolean delete(UUID projectId, String key) {
        return tx.handle().createUpdate("DELETE FROM " + sql.table()
                        + " WHERE project_id = :projectId AND " + keyColumn + " = :key")
                .bind("projectId", projectId)
                .bind("key", key)
                .execute() > 0;
    }
}
