package ai.dstack.core.internal.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * dstack's encryption of stored values with an ordered list of keys: the first key encrypts; decryption tries
 * every key of the stored type in order (the stored name is only informative, as in dstack); an identity key is
 * added at the end when none is listed, so that plaintext values stay readable. Thread-safe.
 *
 * <p>Values without the {@code enc:} prefix were written before encryption existed here and are read as plaintext;
 * {@link ReEncryption} rewrites them.
 */
public final class Encryption {
    public static final String PREFIX = "enc:";
    private static final Encryption IDENTITY = new Encryption(List.of());

    private final List<EncryptionKey> keys;

    private Encryption(List<EncryptionKey> configured) {
        List<EncryptionKey> all = new ArrayList<>(configured);
        if (all.stream().noneMatch(IdentityKey.class::isInstance)) {
            all.add(new IdentityKey());
        }
        this.keys = List.copyOf(all);
    }

    /** No keys: values are stored as {@code enc:identity:noname:<plaintext>}. */
    public static Encryption identity() {
        return IDENTITY;
    }

    public static Encryption of(List<EncryptionKey> keys) {
        Objects.requireNonNull(keys, "keys is null");
        return keys.isEmpty() ? IDENTITY : new Encryption(keys);
    }

    /** The keys in order, the added identity key included. */
    public List<EncryptionKey> keys() {
        return keys;
    }

    /** The key new values are written with. */
    public EncryptionKey current() {
        return keys.get(0);
    }

    /** {@code enc:<type>:<name>:<payload>} under the first key; null stays null. */
    public String encrypt(String plaintext) {
        if (plaintext == null) {
            return null;
        }
        EncryptionKey key = current();
        return PREFIX + key.type() + ":" + key.name() + ":" + key.encrypt(plaintext);
    }

    /**
     * The plaintext of a stored value; null stays null.
     *
     * @param what names the value in the error, e.g. {@code the token of user 'alice'}
     * @throws UndecryptableValueException if no configured key decrypts it
     */
    public String decrypt(String stored, String what) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        String[] parts = stored.split(":", 4);
        if (parts.length != 4) {
            throw new UndecryptableValueException("Cannot decrypt " + what + ": the stored value is malformed");
        }
        String type = parts[1];
        List<String> failures = new ArrayList<>();
        for (EncryptionKey key : keys) {
            if (!key.type().equals(type)) {
                continue;
            }
            try {
                return key.decrypt(parts[3]);
            } catch (IllegalArgumentException e) {
                failures.add(e.getMessage());
            }
        }
        String tried = failures.isEmpty() ? "no configured key has type '" + type + "'" : String.join("; ", failures);
        throw new UndecryptableValueException("Cannot decrypt " + what + " (stored with key " + type + ":" + parts[2]
                + "): " + tried + ". Add the key it was encrypted with to encryption.keys in config.yml");
    }

    /** Whether {@code stored} is written with the first key, so re-encrypting it would change nothing but its nonce. */
    public boolean isCurrent(String stored) {
        EncryptionKey key = current();
        return stored == null || stored.startsWith(PREFIX + key.type() + ":" + key.name() + ":");
    }
}
