package ai.dstack.storage.internal;

import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.InstanceStore;
import java.util.List;
import java.util.UUID;

final class JdbcInstanceStore extends JdbcPipelineStore<InstanceRow> implements InstanceStore {
    JdbcInstanceStore(TxContext tx) {
        super(tx, PipelineTable.INSTANCES);
    }

    @Override
    String describe(InstanceRow row) {
        return "Instance " + row.id();
    }

    @Override
    public List<InstanceRow> listByFleet(UUID fleetId) {
        return query("SELECT * FROM instances WHERE fleet_id = :fleetId AND deleted = FALSE"
                        + " ORDER BY instance_num, id")
                .bind("fleetId", fleetId)
                .mapTo(InstanceRow.class)
                .list();
    }

    @Override
    public List<InstanceRow> listByProject(UUID projectId) {
        return query("SELECT * FROM instances WHERE project_id = :projectId AND deleted = FALSE"
                        + " ORDER BY created_at, instance_num, id")
                .bind("projectId", projectId)
                .mapTo(InstanceRow.class)
                .list();
    }
}
