package ai.dstack.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EncryptionTest {
    private static final String SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void aesValuesHaveDstacksFormatAndSize() {
        Encryption encryption = Encryption.of(List.of(AesKey.of("key1", AesKey.newSecret())));
        String token = UUID.randomUUID().toString();

        String stored = encryption.encrypt(token);

        assertThat(stored).startsWith("enc:aes:key1:").doesNotContain(token);
        String payload = stored.substring("enc:aes:key1:".length());
        // nonce(12) + 36 bytes of ciphertext + tag(16) = 64 bytes = 88 base64 characters, as dstack documents.
        assertThat(payload).hasSize(88);
        assertThat(Base64.getDecoder().decode(payload)).hasSize(64);
        assertThat(encryption.decrypt(stored, "the token")).isEqualTo(token);
        assertThat(encryption.encrypt(token)).as("a random nonce per value").isNotEqualTo(stored);
    }

    @Test
    void readsAValueWrittenByDstack() {
        // Written with Python's cryptography AESGCM exactly as dstack's AESEncryptionKey.encrypt does.
        String byDstack = "enc:aes:key1:Q6km+6crfJM2QB6RHB55GyDyowGmKGAPi0gBQ3RDkRqkI+fWZIfQzLvder02zB3dAw==";

        Encryption encryption = Encryption.of(List.of(AesKey.of("key1", SECRET)));

        assertThat(encryption.decrypt(byDstack, "a value")).isEqualTo("dstack-token-ab3f ✓");
    }

    @Test
    void noKeysMeansIdentityAndPlaintextStaysReadable() {
        Encryption identity = Encryption.identity();

        assertThat(identity.encrypt("s3cr3t")).isEqualTo("enc:identity:noname:s3cr3t");
        assertThat(identity.decrypt("enc:identity:noname:a:b:c", "x")).isEqualTo("a:b:c");
        assertThat(identity.decrypt("legacy-plaintext", "x")).isEqualTo("legacy-plaintext");
        Encryption aes = Encryption.of(List.of(AesKey.of("key1", SECRET)));
        assertThat(aes.decrypt("enc:identity:noname:s3cr3t", "x")).as("identity is appended").isEqualTo("s3cr3t");
    }

    @Test
    void rotationDecryptsWithEveryKeyAndEncryptsWithTheFirst() {
        AesKey old = AesKey.of("old", AesKey.newSecret());
        AesKey fresh = AesKey.of("new", AesKey.newSecret());
        String written = Encryption.of(List.of(old)).encrypt("value");

        Encryption rotated = Encryption.of(List.of(fresh, old));

        assertThat(rotated.decrypt(written, "x")).isEqualTo("value");
        assertThat(rotated.encrypt("value")).startsWith("enc:aes:new:");
        assertThat(rotated.isCurrent(written)).isFalse();
        assertThatThrownBy(() -> Encryption.of(List.of(fresh)).decrypt(written, "secret 'db'"))
                .isInstanceOf(UndecryptableValueException.class)
                .hasMessageStartingWith("Cannot decrypt secret 'db' (stored with key aes:old): key 'new' does not decrypt it")
                .hasMessageContaining("encryption.keys");
    }

    @Test
    void listingIdentityFirstWritesPlaintextButReadsAes() {
        AesKey key = AesKey.of("k", AesKey.newSecret());
        String written = Encryption.of(List.of(key)).encrypt("v");

        Encryption identityFirst = Encryption.of(List.of(new IdentityKey(), key));

        assertThat(identityFirst.encrypt("v")).isEqualTo("enc:identity:noname:v");
        assertThat(identityFirst.decrypt(written, "x")).isEqualTo("v");
    }

    @Test
    void badKeysAndDamagedValuesAreClearErrors() {
        assertThatThrownBy(() -> AesKey.of("key-1", SECRET)).hasMessage("Key name must be alphanumeric");
        assertThatThrownBy(() -> AesKey.of("key1", "not base64!")).hasMessage("Failed to decode secret from base64");
        assertThatThrownBy(() -> AesKey.of("key1", Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessage("AES key must be 32 bytes. Got 16 bytes");
        Encryption encryption = Encryption.of(List.of(AesKey.of("key1", SECRET)));
        assertThatThrownBy(() -> encryption.decrypt("enc:aes:key1", "x")).hasMessageContaining("malformed");
        assertThatThrownBy(() -> encryption.decrypt("enc:aes:key1:%%%", "x")).hasMessageContaining("not base64");
        assertThatThrownBy(() -> encryption.decrypt("enc:rsa:k:abc", "x"))
                .hasMessageContaining("no configured key has type 'rsa'");
    }
}
