package ai.dstack.storage.internal;

import ai.dstack.spi.storage.BlobRow;
import ai.dstack.spi.storage.BlobStore;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** One blob table ({@code codes} or {@code file_archives}); both have the same columns. */
final class JdbcBlobStore implements BlobStore {
    private final TxContext tx;
    private final RecordSql sql;

    JdbcBlobStore(TxContext tx, String table) {
        this.tx = tx;
        this.sql = RecordSql.of(table, BlobRow.class);
    }

    @Override
    public boolean insertIfAbsent(BlobRow blob) {
        Objects.requireNonNull(blob, "blob is null");
        return tx.handle().createUpdate(sql.insertIfAbsent()).bindMethods(blob).execute() == 1;
    }

    @Override
    public Optional<BlobRow> find(UUID id) {
        return tx.handle().createQuery("SELECT * FROM " + sql.table() + " WHERE id = :id")
                .bind("id", id)
                .mapTo(BlobRow.class)
                .findOne();
    }

    @Override
    public Optional<BlobRow> findByHash(UUID ownerId, String blobHash) {
        return tx.handle().createQuery("SELECT * FROM " + sql.table()
                        + " WHERE owner_id = :ownerId AND blob_hash = :blobHash")
                .bind("ownerId", ownerId)
                .bind("blobHash", blobHash)
                .mapTo(BlobRow.class)
                .findOne();
    }
}
