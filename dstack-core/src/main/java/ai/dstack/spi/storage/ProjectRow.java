package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * A project: table {@code projects}. Its SSH key pair is how the server reaches instances.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 * Timestamps are truncated to the microsecond, the stored precision.
 *
 * @param originalName a deleted project's name, while name holds a unique placeholder
 */
public record ProjectRow(
        UUID id,
        String name,
        UUID ownerId,
        Instant createdAt,
        boolean isPublic,
        boolean deleted,
        String originalName,
        String sshPublicKey,
        String sshPrivateKey) {

    public ProjectRow {
        Rows.required(id, "id");
        Rows.required(name, "name");
        Rows.required(ownerId, "ownerId");
        createdAt = Rows.micros(Rows.required(createdAt, "createdAt"));
        Rows.required(sshPublicKey, "sshPublicKey");
        Rows.required(sshPrivateKey, "sshPrivateKey");
    }
}
