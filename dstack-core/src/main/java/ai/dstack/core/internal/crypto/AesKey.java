package ai.dstack.core.internal.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * dstack's {@code aes} key: AES-256-GCM with a random 12-byte nonce and no associated data; the payload is
 * standard padded base64 of {@code nonce ‖ ciphertext ‖ tag}, so values written by dstack read here and back.
 */
public final class AesKey implements EncryptionKey {
    public static final String TYPE = "aes";
    private static final Pattern NAME = Pattern.compile("[\\p{IsAlphabetic}\\p{IsDigit}]+");
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final SecretKeySpec key;

    private AesKey(String name, byte[] key) {
        this.name = name;
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * @param secret strict base64 of 32 bytes, as dstack requires
     * @throws IllegalArgumentException with dstack's wording when the name or the secret is invalid
     */
    public static AesKey of(String name, String secret) {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(secret, "secret is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Key name must be alphanumeric");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Failed to decode secret from base64");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException("AES key must be 32 bytes. Got " + key.length + " bytes");
        }
        return new AesKey(name, key);
    }

    /** A fresh random secret in the form {@link #of} takes: for docs, tests and {@code openssl rand -base64 32}'s job. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String encrypt(String plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    @Override
    public String decrypt(String payload) {
        byte[] data;
        try {
            data = Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the payload is not base64");
        }
        if (data.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new IllegalArgumentException("the payload is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, NONCE_BYTES));
            return new String(cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("key '" + name + "' does not decrypt it");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("key '" + name + "' does not decrypt it: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "aes:" + name; // never the secret
    }
}
