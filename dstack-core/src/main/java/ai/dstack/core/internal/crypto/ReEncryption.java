package ai.dstack.core.internal.crypto;

import ai.dstack.spi.storage.BackendRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RepoRow;
import ai.dstack.spi.storage.SecretRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.UserRow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code dstack server re-encrypt}: rewrites every encrypted value with the first key, in one transaction, so that
 * older keys can then be removed from config.yml. A value no key decrypts aborts the whole rewrite (nothing is
 * changed) with an error naming it.
 */
public final class ReEncryption {
    private ReEncryption() {}

    /**
     * @param store the store as the database holds it (not an {@link EncryptingStateStore})
     * @return how many non-null values were rewritten
     */
    public static int run(StateStore store, Encryption encryption) {
        StateStore raw = store instanceof EncryptingStateStore encrypting ? encrypting.delegate() : store;
        AtomicInteger count = new AtomicInteger();
        EncryptedColumns.Transform rewrite = (value, what) -> {
            if (value == null) {
                return null;
            }
            count.incrementAndGet();
            return encryption.encrypt(encryption.decrypt(value, what));
        };
        raw.useTransaction(tx -> {
            for (UserRow user : tx.users().list()) {
                tx.users().update(EncryptedColumns.user(user, rewrite));
            }
            for (ProjectRow project : tx.projects().list()) {
                tx.projects().update(EncryptedColumns.project(project, rewrite));
                for (SecretRow secret : tx.secrets().list(project.id())) {
                    tx.secrets().update(EncryptedColumns.secret(secret, rewrite));
                }
                for (BackendRow backend : tx.backends().list(project.id())) {
                    tx.backends().update(EncryptedColumns.backend(backend, rewrite));
                }
                for (RepoRow repo : tx.repos().list(project.id())) {
                    tx.repos().update(EncryptedColumns.repo(repo, rewrite));
                }
            }
        });
        return count.get();
    }
}
