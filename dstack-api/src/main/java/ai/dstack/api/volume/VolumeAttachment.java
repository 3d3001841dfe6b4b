package ai.dstack.api.volume;

import java.util.Objects;

/** One attachment of a volume to an instance. */
public record VolumeAttachment(VolumeInstance instance, VolumeAttachmentData attachmentData) {
    public VolumeAttachment {
        Objects.requireNonNull(instance, "instance is null");
    }
}
