package ai.dstack.storage.internal;

import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.InstanceStore;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

final class JdbcInstanceStore extends JdbcPipelineStore<InstanceRow> implements InstanceStore {
    JdbcInstanceStore(TxContext tx) {
        super(tx, PipelineTable.INSTANCES);
    }

    /**
     * An instance's busy blocks belong to {@link #adjustBusyBlocks}, which places and frees jobs in one statement:
     * a full-row write (a probe, a reachability mark, a termination) keeps the row's own count, and with it idle or
     * busy, whatever it read before. Written back, a count read before a placement freed the block that job holds.
     */
    private static final String UPDATE = keepingBusyBlocks(
            PipelineTable.INSTANCES.sql().updateById(java.util.Set.of("busyBlocks")));

    private static String keepingBusyBlocks(String sql) {
        String status = ", status = :status,";
        if (!sql.contains(status)) {
            throw new IllegalStateException("unexpected instance update: " + sql);
        }
        return sql.replace(status, ", status = CASE WHEN :status IN ('idle', 'busy') THEN"
                + " (CASE WHEN busy_blocks > 0 THEN 'busy' ELSE 'idle' END) ELSE :status END,");
    }

    @Override
    String updateSql(PipelineTable<InstanceRow> table) {
        return UPDATE;
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
    public boolean adjustBusyBlocks(UUID instanceId, int delta, Instant now) {
        return tx.handle().createUpdate("UPDATE instances SET busy_blocks = busy_blocks + :delta,"
                        + " status = CASE WHEN busy_blocks + :delta > 0 THEN 'busy' ELSE 'idle' END,"
                        + " last_job_processed_at = :now"
                        + " WHERE id = :id AND deleted = FALSE AND status IN ('idle', 'busy')"
                        + " AND busy_blocks + :delta >= 0 AND busy_blocks + :delta <= COALESCE(total_blocks, 1)")
                .bind("delta", delta)
                .bind("now", now)
                .bind("id", instanceId)
                .execute() == 1;
    }

    @Override
    public void lockAll(java.util.Collection<UUID> instanceIds) {
        if (instanceIds.isEmpty() || tx.dialect() != Dialect.POSTGRES) {
            return; // SQLite: one write transaction at a time
        }
        // In id order, so that two batches locking overlapping sets cannot deadlock.
        query("SELECT id FROM instances WHERE id IN (<ids>) ORDER BY id" + tx.dialect().rowLock())
                .bindList("ids", List.copyOf(new java.util.TreeSet<>(instanceIds)))
                .mapTo(UUID.class)
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
