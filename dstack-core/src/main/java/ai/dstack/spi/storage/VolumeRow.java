package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * A network volume: table {@code volumes}. Deletion is the {@code deleted} flag, as in dstack.
 *
 * @param status wire value of VolumeStatus: submitted, provisioning, active, failed
 * @param configuration JSON: the volume configuration as applied
 * @param volumeProvisioningData JSON: what the backend made (the SPI's VolumeData), null until then
 * @param external whether it registers an existing cloud volume ({@code volume_id}), never deleted in the cloud
 * @param toBeDeleted a user asked to delete it; the volume step deletes it in the cloud, then sets {@code deleted}
 * @param lastJobProcessedAt when a job last stopped using it (detached); null while none has
 */
public record VolumeRow(
        UUID id,
        UUID projectId,
        UUID userId,
        String name,
        String status,
        String statusMessage,
        String configuration,
        String volumeProvisioningData,
        boolean external,
        Instant createdAt,
        Instant lastProcessedAt,
        boolean deleted,
        Instant deletedAt,
        boolean toBeDeleted,
        Instant lastJobProcessedAt) {

    public VolumeRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(userId, "userId");
        Rows.required(name, "name");
        Rows.required(status, "status");
        Rows.required(configuration, "configuration");
        createdAt = Rows.micros(Rows.required(createdAt, "createdAt"));
        lastProcessedAt = Rows.micros(Rows.required(lastProcessedAt, "lastProcessedAt"));
        deletedAt = Rows.micros(deletedAt);
        lastJobProcessedAt = Rows.micros(lastJobProcessedAt);
    }

    public VolumeRow withStatus(String newStatus, String newMessage, Instant now) {
        return new VolumeRow(id, projectId, userId, name, newStatus, newMessage, configuration,
                volumeProvisioningData, external, createdAt, now, deleted, deletedAt, toBeDeleted,
                lastJobProcessedAt);
    }

    public VolumeRow withProvisioningData(String data) {
        return new VolumeRow(id, projectId, userId, name, status, statusMessage, configuration, data, external,
                createdAt, lastProcessedAt, deleted, deletedAt, toBeDeleted,
                lastJobProcessedAt);
    }

    public VolumeRow markedToBeDeleted() {
        return new VolumeRow(id, projectId, userId, name, status, statusMessage, configuration,
                volumeProvisioningData, external, createdAt, lastProcessedAt, deleted, deletedAt, true,
                lastJobProcessedAt);
    }

    public VolumeRow deletedAt(Instant now) {
        return new VolumeRow(id, projectId, userId, name, status, statusMessage, configuration,
                volumeProvisioningData, external, createdAt, now, true, now, toBeDeleted,
                lastJobProcessedAt);
    }

    /** A job stopped using it at {@code now}. */
    public VolumeRow withLastJobProcessedAt(Instant now) {
        return new VolumeRow(id, projectId, userId, name, status, statusMessage, configuration,
                volumeProvisioningData, external, createdAt, lastProcessedAt, deleted, deletedAt, toBeDeleted, now);
    }
}
