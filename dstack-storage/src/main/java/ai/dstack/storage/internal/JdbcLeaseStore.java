package ai.dstack.storage.internal;

import ai.dstack.spi.storage.Lease;
import ai.dstack.spi.storage.LeaseStore;
import ai.dstack.spi.storage.WorkKind;
import java.time.Instant;
import java.util.Objects;

final class JdbcLeaseStore implements LeaseStore {
    private final TxContext tx;

    JdbcLeaseStore(TxContext tx) {
        this.tx = tx;
    }

    @Override
    public boolean holds(Lease lease) {
        return tx.handle()
                .createQuery("SELECT 1 FROM " + table(lease) + " WHERE id = :id AND lock_token = :token"
                        + tx.dialect().rowLock())
                .bind("id", lease.id())
                .bind("token", lease.token())
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    @Override
    public boolean release(Lease lease) {
        return tx.handle()
                .createUpdate("UPDATE " + table(lease) + " SET lock_owner = NULL, lock_token = NULL,"
                        + " lock_expires_at = NULL WHERE id = :id AND lock_token = :token")
                .bind("id", lease.id())
                .bind("token", lease.token())
                .execute() == 1;
    }

    @Override
    public boolean requeue(Lease lease, Instant now) {
        Objects.requireNonNull(now, "now is null");
        return tx.handle()
                .createUpdate("UPDATE " + table(lease) + " SET lock_token = NULL, lock_expires_at = NULL,"
                        + " last_processed_at = :now WHERE id = :id AND lock_token = :token")
                .bind("id", lease.id())
                .bind("token", lease.token())
                .bind("now", now)
                .execute() == 1;
    }

    static String table(Lease lease) {
        Objects.requireNonNull(lease, "lease is null");
        WorkKind<?> kind = lease.kind();
        return PipelineTable.of(kind).table();
    }
}
