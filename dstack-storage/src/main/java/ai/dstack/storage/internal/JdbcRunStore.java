package ai.dstack.storage.internal;

import ai.dstack.spi.storage.RunPageQuery;
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
    public List<RunRow> findAll(java.util.Collection<UUID> ids) {
        return findAll(ids, "");
    }

    /** One statement; PostgreSQL locks the rows in the index's order, the same for every caller (no deadlock). */
    @Override
    public List<RunRow> findAllForUpdate(java.util.Collection<UUID> ids) {
        return findAll(ids, tx.dialect() == Dialect.POSTGRES ? " FOR UPDATE" : "");
    }

    private List<RunRow> findAll(java.util.Collection<UUID> ids, String lock) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return query("SELECT * FROM runs WHERE id IN (<ids>) ORDER BY id" + lock)
                .bindList("ids", List.copyOf(new java.util.LinkedHashSet<>(ids))).mapTo(RunRow.class).list();
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

    /**
     * Keyset paging on the {@code (project_id, submitted_at, id)} indexes (V33; the active runs' one with
     * {@code activeOnly}), or on {@code (submitted_at, id)} across projects: a page costs the same however many runs
     * there are.
     */
    @Override
    public List<RunRow> listPage(RunPageQuery page) {
        if (page.projectIds().isEmpty() || page.limit() == 0) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("SELECT * FROM runs WHERE project_id IN (<projectIds>)");
        if (page.userId() != null) {
            sql.append(" AND user_id = :userId");
        }
        if (page.activeOnly()) {
            sql.append(" AND deleted = FALSE");
            if (!page.finishedStatuses().isEmpty()) {
                sql.append(" AND status NOT IN (").append(literals(page.finishedStatuses())).append(")");
            }
        }
        String before = page.ascending() ? ">" : "<";
        if (page.afterSubmittedAt() != null) {
            sql.append(page.afterId() == null ? " AND submitted_at " + before + " :at"
                    : " AND (submitted_at " + before + " :at OR (submitted_at = :at AND id "
                            + (page.ascending() ? "<" : ">") + " :afterId))");
        }
        sql.append(page.ascending() ? " ORDER BY submitted_at ASC, id DESC" : " ORDER BY submitted_at DESC, id ASC");
        sql.append(" LIMIT :limit");
        var query = query(sql.toString()).bindList("projectIds", page.projectIds()).bind("limit", page.limit());
        if (page.userId() != null) {
            query.bind("userId", page.userId());
        }
        if (page.afterSubmittedAt() != null) {
            query.bind("at", page.afterSubmittedAt());
            if (page.afterId() != null) {
                query.bind("afterId", page.afterId());
            }
        }
        return query.mapTo(RunRow.class).list();
    }

    /**
     * Counted off V33's partial index of active runs (its condition written with the same literals), and only as far
     * as {@code atMost}: the quota check before each new run reads at most the limit's number of rows.
     */
    @Override
    public int countActive(UUID projectId, UUID userId, java.util.Set<String> finishedStatuses, int atMost) {
        StringBuilder active = new StringBuilder("SELECT 1 FROM runs WHERE project_id = :projectId AND deleted = FALSE");
        if (!finishedStatuses.isEmpty()) {
            active.append(" AND status NOT IN (").append(literals(finishedStatuses)).append(")");
        }
        if (userId != null) {
            active.append(" AND user_id = :userId");
        }
        if (atMost > 0) {
            active.append(" LIMIT :atMost");
        }
        var query = query("SELECT COUNT(*) FROM (" + active + ") active").bind("projectId", projectId);
        if (userId != null) {
            query.bind("userId", userId);
        }
        if (atMost > 0) {
            query.bind("atMost", atMost);
        }
        return query.mapTo(Integer.class).one();
    }

    /**
     * Statuses as sorted SQL literals: written as V33's partial index of active runs writes them, the databases use
     * that index (neither matches a bound parameter against an index's condition). Wire values are lowercase words.
     */
    private static String literals(java.util.Set<String> statuses) {
        return statuses.stream().sorted().map(status -> {
            if (!status.matches("[a-z_]+")) {
                throw new IllegalArgumentException("not a status: " + status);
            }
            return "'" + status + "'";
        }).collect(java.util.stream.Collectors.joining(", "));
    }

    @Override
    public List<RunRow> listByFleet(UUID fleetId) {
        return query("SELECT * FROM runs WHERE fleet_id = :fleetId AND deleted = FALSE ORDER BY submitted_at, id")
                .bind("fleetId", fleetId)
                .mapTo(RunRow.class)
                .list();
    }
}
