package ai.dstack.api.volume;

/** How a volume is attached to an instance: its device name there, when known. */
public record VolumeAttachmentData(String deviceName) {
}
