package ai.dstack.api.user;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An SSH public key a user added to its account ({@code users/public_keys/*}).
 *
 * @param type the OpenSSH key type, e.g. {@code ssh-ed25519}
 * @param fingerprint as OpenSSH prints it: {@code SHA256:<base64 without padding>}
 */
public record PublicKeyInfo(UUID id, Instant addedAt, String name, String type, String fingerprint) {
    public PublicKeyInfo {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(fingerprint, "fingerprint is null");
    }
}
