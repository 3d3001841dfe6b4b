package ai.dstack.storage.internal;

import ai.dstack.spi.storage.VolumeAttachmentRow;
import ai.dstack.spi.storage.VolumeRow;
import ai.dstack.spi.storage.VolumeStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

final class JdbcVolumeStore implements VolumeStore {
    private static final RecordSql SQL = RecordSql.of("volumes", VolumeRow.class);
    private static final RecordSql ATTACHMENTS = RecordSql.of("volumes_attachments", VolumeAttachmentRow.class);

    private final TxContext tx;

    JdbcVolumeStore(TxContext tx) {
        this.tx = tx;
    }

    @Override
    public void insert(VolumeRow volume) {
        Objects.requireNonNull(volume, "volume is null");
        Inserts.insert(tx, SQL, volume, "Volume '" + volume.name() + "' of project " + volume.projectId());
    }

    @Override
    public Optional<VolumeRow> find(UUID id) {
        return tx.handle().createQuery("SELECT * FROM volumes WHERE id = :id").bind("id", id)
                .mapTo(VolumeRow.class).findOne();
    }

    @Override
    public Optional<VolumeRow> findByName(UUID projectId, String name) {
        return tx.handle().createQuery("SELECT * FROM volumes WHERE project_id = :projectId AND name = :name"
                        + " AND deleted = FALSE")
                .bind("projectId", projectId).bind("name", name).mapTo(VolumeRow.class).findOne();
    }

    @Override
    public List<VolumeRow> listByProject(UUID projectId) {
        return tx.handle().createQuery("SELECT * FROM volumes WHERE project_id = :projectId AND deleted = FALSE"
                        + " ORDER BY name")
                .bind("projectId", projectId).mapTo(VolumeRow.class).list();
    }

    @Override
    public List<VolumeRow> listAll() {
        return tx.handle().createQuery("SELECT * FROM volumes WHERE deleted = FALSE ORDER BY project_id, name")
                .mapTo(VolumeRow.class).list();
    }

    @Override
    public boolean update(VolumeRow volume, String expectedStatus) {
        return tx.handle().createUpdate(SQL.updateById(Set.of("projectId", "userId"))
                        + " AND status = :expectedStatus AND deleted = FALSE")
                .bindMethods(Objects.requireNonNull(volume, "volume is null"))
                .bind("expectedStatus", expectedStatus)
                .execute() == 1;
    }

    @Override
    public void attach(VolumeAttachmentRow attachment) {
        detach(attachment.volumeId(), attachment.instanceId());
        tx.handle().createUpdate(ATTACHMENTS.insertIfAbsent()).bindMethods(attachment).execute();
    }

    @Override
    public boolean detach(UUID volumeId, UUID instanceId) {
        return tx.handle().createUpdate("DELETE FROM volumes_attachments WHERE volume_id = :volumeId"
                        + " AND instance_id = :instanceId")
                .bind("volumeId", volumeId).bind("instanceId", instanceId).execute() > 0;
    }

    @Override
    public List<VolumeAttachmentRow> attachments(UUID volumeId) {
        return tx.handle().createQuery("SELECT * FROM volumes_attachments WHERE volume_id = :volumeId")
                .bind("volumeId", volumeId).mapTo(VolumeAttachmentRow.class).list();
    }

    @Override
    public List<VolumeAttachmentRow> attachmentsOfInstance(UUID instanceId) {
        return tx.handle().createQuery("SELECT * FROM volumes_attachments WHERE instance_id = :instanceId")
                .bind("instanceId", instanceId).mapTo(VolumeAttachmentRow.class).list();
    }
}
