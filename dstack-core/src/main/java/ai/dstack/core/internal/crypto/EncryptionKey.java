package ai.dstack.core.internal.crypto;

/**
 * One key of {@code encryption.keys}: it turns plaintext into the payload of a stored value and back.
 * Implementations are immutable and thread-safe.
 */
public sealed interface EncryptionKey permits AesKey, IdentityKey {
    /** {@code aes} or {@code identity}: the second part of a stored value. */
    String type();

    /** The third part of a stored value ({@code noname} for identity). */
    String name();

    String encrypt(String plaintext);

    /** @throws IllegalArgumentException if this key cannot decrypt the payload (wrong key, damaged value) */
    String decrypt(String payload);
}
