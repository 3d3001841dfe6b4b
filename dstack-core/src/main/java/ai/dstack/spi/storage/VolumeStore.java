package ai.dstack.spi.storage;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Network volumes and their attachments: tables {@code volumes} and {@code volumes_attachments}. */
public interface VolumeStore {
    /** @throws ai.dstack.api.DstackException with {@code RESOURCE_EXISTS} if the project has a volume of this name */
    void insert(VolumeRow volume);

    Optional<VolumeRow> find(UUID id);

    /** The project's volume of this name that is not deleted. */
    Optional<VolumeRow> findByName(UUID projectId, String name);

    /** The project's volumes that are not deleted, by name. */
    List<VolumeRow> listByProject(UUID projectId);

    /** Every volume that is not deleted, by project and name. */
    List<VolumeRow> listAll();

    /**
     * Writes every column but the id, project and user, provided the row still has {@code expectedStatus} and is not
     * deleted: a compare-and-set, so two engines never both provision or delete the same volume.
     */
    boolean update(VolumeRow volume, String expectedStatus);

    /** Records an attachment; an existing one for the same instance is replaced. */
    void attach(VolumeAttachmentRow attachment);

    /** False if there was no such attachment. */
    boolean detach(UUID volumeId, UUID instanceId);

    List<VolumeAttachmentRow> attachments(UUID volumeId);

    List<VolumeAttachmentRow> attachmentsOfInstance(UUID instanceId);
}
