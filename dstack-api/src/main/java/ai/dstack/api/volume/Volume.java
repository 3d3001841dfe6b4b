package ai.dstack.api.volume;

import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.json.internal.Values;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A network volume as dstack's API returns it.
 *
 * @param user the user name of the creator
 * @param external whether the volume was registered rather than created by dstack
 * @param deleted deletion is this flag, not a status
 * @param volumeId the volume's id in the cloud, or null
 * @param cost dollars; 0 when absent
 * @param attachments the instances the volume is attached to, or null from older servers
 * @param attachmentData deprecated in favour of {@code attachments}
 */
public record Volume(
        UUID id,
        String name,
        String user,
        String projectName,
        VolumeConfiguration configuration,
        boolean external,
        Instant createdAt,
        Instant lastProcessedAt,
        VolumeStatus status,
        String statusMessage,
        boolean deleted,
        Instant deletedAt,
        String volumeId,
        VolumeProvisioningData provisioningData,
        double cost,
        List<VolumeAttachment> attachments,
        VolumeAttachmentData attachmentData) {
    public Volume {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(projectName, "projectName is null");
        Objects.requireNonNull(createdAt, "createdAt is null");
        Objects.requireNonNull(lastProcessedAt, "lastProcessedAt is null");
        Objects.requireNonNull(status, "status is null");
        attachments = Values.listOrNull(attachments);
    }
}
