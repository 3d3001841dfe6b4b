package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A claim on one row until {@code expiresAt}. The {@code token} is what proves it: writes and heartbeats carry it,
 * and they are refused once another claim has replaced it.
 */
public record Lease(WorkKind<?> kind, UUID id, UUID token, String owner, Instant expiresAt) {
    public Lease {
        Objects.requireNonNull(kind, "kind is null");
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(token, "token is null");
        Objects.requireNonNull(owner, "owner is null");
        expiresAt = Rows.micros(Objects.requireNonNull(expiresAt, "expiresAt is null"));
    }

    public Lease withExpiresAt(Instant expiresAt) {
        return new Lease(kind, id, token, owner, expiresAt);
    }
}
