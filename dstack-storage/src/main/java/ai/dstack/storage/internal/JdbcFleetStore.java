package ai.dstack.storage.internal;

import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.FleetStore;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

final class JdbcFleetStore extends JdbcPipelineStore<FleetRow> implements FleetStore {
    JdbcFleetStore(TxContext tx) {
        super(tx, PipelineTable.FLEETS);
    }

    @Override
    String describe(FleetRow row) {
        return "Fleet " + row.id();
    }

    @Override
    public Optional<FleetRow> findByName(UUID projectId, String name) {
        return query("SELECT * FROM fleets WHERE project_id = :projectId AND name = :name AND deleted = FALSE"
                        + " ORDER BY created_at DESC LIMIT 1")
                .bind("projectId", projectId)
                .bind("name", name)
                .mapTo(FleetRow.class)
                .findOne();
    }

    @Override
    public List<FleetRow> listByProject(UUID projectId) {
        return query("SELECT * FROM fleets WHERE project_id = :projectId AND deleted = FALSE ORDER BY name, id")
                .bind("projectId", projectId)
                .mapTo(FleetRow.class)
                .list();
    }
}
