package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * A project secret: table {@code secrets}. The value is stored as given.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 * Timestamps are truncated to the microsecond, the stored precision.
 *
 */
public record SecretRow(
        UUID id,
        UUID projectId,
        String name,
        String value,
        Instant createdAt,
        Instant updatedAt) {

    public SecretRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(name, "name");
        Rows.required(value, "value");
        createdAt = Rows.micros(Rows.required(createdAt, "createdAt"));
        updatedAt = Rows.micros(Rows.required(updatedAt, "updatedAt"));
    }
}
