package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * An SSH public key a user added (dstack's {@code users/public_keys/add}): table {@code user_public_keys}.
 *
 * @param type the OpenSSH key type, e.g. {@code ssh-ed25519}
 * @param fingerprint OpenSSH's {@code SHA256:...}; unique per user
 * @param key the key as given, in OpenSSH's one-line format
 */
public record PublicKeyRow(
        UUID id,
        UUID userId,
        Instant createdAt,
        String name,
        String type,
        String fingerprint,
        String key) {

    public PublicKeyRow {
        Rows.required(id, "id");
        Rows.required(userId, "userId");
        createdAt = Rows.micros(Rows.required(createdAt, "createdAt"));
        Rows.required(name, "name");
        Rows.required(type, "type");
        Rows.required(fingerprint, "fingerprint");
        Rows.required(key, "key");
    }
}
