package ai.dstack.storage.internal;

import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.RunStore;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

final class JdbcRunStore extends JdbcPipelineStore<RunRow> implements RunStore {
    JdbcRunStore(TxContext tx) {
        super(tx, PipelineTable.RUNS);
    }

    @Override
    String describe(RunRow row) {
        return "Run " + row.id();
    }

    @Override
    public Optional<RunRow> findForUpdate(UUID id) {
        String lock = tx.dialect() == Dialect.POSTGRES ? " FOR UPDATE" : "";
        return query("SELECT * FROM runs WHERE id = :id" + lock).bind("id", id).mapTo(RunRow.class).findOne();
    }

    @Override
    public Optional<RunRow> findByName(UUID projectId, String runName) {
        return query("SELECT * FROM runs WHERE project_id = :projectId AND run_name = :runName AND deleted = FALSE"
                        + " ORDER BY submitted_at DESC LIMIT 1")
                .bind("projectId", projectId)
                .bind("runName", runName)
                .mapTo(RunRow.class)
                .findOne();
    }

    @Override
    public List<RunRow> listByProject(UUID projectId, boolean includeDeleted, int limit) {
        return query("SELECT * FROM runs WHERE project_id = :projectId"
                        + (includeDeleted ? "" : " AND deleted = FALSE")
                        + " ORDER BY submitted_at DESC, id LIMIT :limit")
                .bind("projectId", projectId)
                .bind("limit", limit)
                .mapTo(RunRow.class)
                .list();
    }

    @Override
    public List<RunRow> listByFleet(UUID fleetId) {
        return query("SELECT * FROM runs WHERE fleet_id = :fleetId AND deleted = FALSE ORDER BY submitted_at, id")
                .bind("fleetId", fleetId)
                .mapTo(RunRow.class)
                .list();
    }
}
