package ai.dstack.spi.storage;

import java.util.UUID;

/**
 * A volume attached to an instance: table {@code volumes_attachments}.
 *
 * @param attachmentData JSON: dstack's VolumeAttachmentData ({@code device_name}), or null
 */
public record VolumeAttachmentRow(UUID volumeId, UUID instanceId, String attachmentData) {
    public VolumeAttachmentRow {
        Rows.required(volumeId, "volumeId");
        Rows.required(instanceId, "instanceId");
    }
}
