package ai.dstack.core;

import ai.dstack.core.internal.crypto.AesKey;
import ai.dstack.core.internal.crypto.Encryption;
import ai.dstack.core.internal.crypto.EncryptionKey;
import ai.dstack.core.internal.crypto.ReEncryption;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StoreOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How tokens, SSH private keys, secrets and backend credentials are encrypted in the database (config.yml's
 * {@code encryption.keys}): the first key encrypts, every key is tried to decrypt. Immutable.
 */
public final class DatabaseEncryption {
    private static final DatabaseEncryption IDENTITY = new DatabaseEncryption(Encryption.identity());

    private final Encryption encryption;

    private DatabaseEncryption(Encryption encryption) {
        this.encryption = encryption;
    }

    /** No keys: values are stored as {@code enc:identity:noname:<plaintext>}. */
    public static DatabaseEncryption identity() {
        return IDENTITY;
    }

    /**
     * AES-256-GCM keys in order, each a name and a secret (base64 of 32 bytes), as config.yml lists them.
     *
     * @param namesAndSecrets {@code name1, secret1, name2, secret2, ...}
     */
    public static DatabaseEncryption aes(String... namesAndSecrets) {
        if (namesAndSecrets.length % 2 != 0) {
            throw new IllegalArgumentException("aes keys come as name and secret pairs");
        }
        List<EncryptionKey> keys = new ArrayList<>();
        for (int i = 0; i < namesAndSecrets.length; i += 2) {
            keys.add(AesKey.of(namesAndSecrets[i], namesAndSecrets[i + 1]));
        }
        return new DatabaseEncryption(Encryption.of(keys));
    }

    /** A new random AES secret (base64 of 32 bytes), as {@code openssl rand -base64 32} makes one. */
    public static String newAesSecret() {
        return AesKey.newSecret();
    }

    static DatabaseEncryption of(Encryption encryption) {
        return new DatabaseEncryption(Objects.requireNonNull(encryption, "encryption is null"));
    }

    Encryption encryption() {
        return encryption;
    }

    /** The key new values are written with: {@code aes:<name>} or {@code identity}. */
    public String currentKey() {
        EncryptionKey key = encryption.current();
        return key.type().equals("identity") ? "identity" : key.type() + ":" + key.name();
    }

    /**
     * {@code dstack server re-encrypt}: rewrites every encrypted value of the database at {@code databaseUrl} with the
     * first key, in one transaction.
     *
     * @return how many values were rewritten
     */
    public int reEncrypt(String databaseUrl, StoreOptions options) {
        try (StateStore store = DstackEngine.Builder.openStateStore(databaseUrl, options)) {
            store.migrate();
            return ReEncryption.run(store, encryption);
        }
    }
}
