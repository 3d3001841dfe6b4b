package ai.dstack.storage.internal;

import ai.dstack.spi.storage.PublicKeyRow;
import ai.dstack.spi.storage.PublicKeyStore;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

final class JdbcPublicKeyStore implements PublicKeyStore {
    private static final RecordSql SQL = RecordSql.of("user_public_keys", PublicKeyRow.class);

    private final TxContext tx;

    JdbcPublicKeyStore(TxContext tx) {
        this.tx = tx;
    }

    @Override
    public void insert(PublicKeyRow key) {
        Objects.requireNonNull(key, "key is null");
        Inserts.insert(tx, SQL, key, "Public key " + key.fingerprint() + " of user " + key.userId());
    }

    @Override
    public List<PublicKeyRow> list(UUID userId) {
        return tx.handle().createQuery("SELECT * FROM user_public_keys WHERE user_id = :userId"
                        + " ORDER BY created_at DESC, id")
                .bind("userId", userId)
                .mapTo(PublicKeyRow.class)
                .list();
    }

    @Override
    public int delete(UUID userId, Collection<UUID> ids) {
        int deleted = 0;
        for (UUID id : ids) {
            deleted += tx.handle().createUpdate("DELETE FROM user_public_keys WHERE user_id = :userId AND id = :id")
                    .bind("userId", userId)
                    .bind("id", id)
                    .execute();
        }
        return deleted;
    }
}
