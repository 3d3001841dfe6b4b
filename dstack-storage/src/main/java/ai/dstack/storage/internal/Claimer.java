package ai.dstack.storage.internal;

import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.ClaimOrder;
import ai.dstack.spi.storage.DueRule;
import ai.dstack.spi.storage.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.RowMappers;
import org.jdbi.v3.core.statement.Query;

/**
 * Claims rows inside a write transaction. On PostgreSQL it is one statement: a CTE selects free, due rows
 * {@code FOR NO KEY UPDATE SKIP LOCKED} and the UPDATE stamps them, so concurrent claimers skip each other's rows.
 * On SQLite it is one statement too: an UPDATE of the rows a subquery picks, atomic under the store's single writer.
 */
final class Claimer {
    private static final String CANDIDATE_COLUMNS =
            "t.id AS claim_id, t.lock_expires_at AS claim_prev_expires_at, ";

    private final Handle handle;
    private final Dialect dialect;

    Claimer(Handle handle, Dialect dialect) {
        this.handle = handle;
        this.dialect = dialect;
    }

    <R> List<Claim<R>> claimDue(
            PipelineTable<R> table, ClaimFilter filter, Instant now, int limit, String owner, Duration lease) {
        boolean byPriority = filter.order() == ClaimOrder.HIGHEST_PRIORITY_FIRST;
        String where = LeaseSql.FREE + " AND " + LeaseSql.due(filter)
                + (table.softDeleted() ? " AND t.deleted = FALSE" : "");
        String candidates = "SELECT " + CANDIDATE_COLUMNS + (byPriority ? table.priorityColumn() : "0")
                + " AS claim_priority, " + (byPriority ? table.queueExpression() : "0") + " AS claim_queue FROM "
                + table.table() + " t" + (byPriority ? table.priorityJoin() : "")
                + " WHERE " + where + LeaseSql.orderBy(table, filter.order()) + " LIMIT :limit";
        Request request = new Request(candidates, now, limit, owner, lease, filter, byPriority);
        return sorted(table, claim(table, request), byPriority);
    }

    <R> Optional<Claim<R>> claimById(PipelineTable<R> table, UUID id, Instant now, String owner, Duration lease) {
        String candidates = "SELECT " + CANDIDATE_COLUMNS + "0 AS claim_priority, 0 AS claim_queue FROM " + table.table()
                + " t WHERE t.id = :id AND " + LeaseSql.FREE + " LIMIT :limit";
        Request request = new Request(candidates, now, 1, owner, lease, null, false).withId(id);
        return claim(table, request).stream().findFirst().map(Claimed::claim);
    }

    <R> List<Claim<R>> claimByIds(
            PipelineTable<R> table, Collection<UUID> ids, Instant now, String owner, Duration lease) {
        String candidates = "SELECT " + CANDIDATE_COLUMNS + "0 AS claim_priority, 0 AS claim_queue FROM " + table.table()
                + " t WHERE t.id IN (<claim_ids>) AND " + LeaseSql.FREE + " LIMIT :limit";
        Request request = new Request(candidates, now, ids.size(), owner, lease, null, false).withIds(List.copyOf(ids));
        return claim(table, request).stream().map(Claimed::claim).toList();
    }

    private <R> List<Claimed<R>> claim(PipelineTable<R> table, Request request) {
        UUID token = UUID.randomUUID();
        Instant expiresAt = request.now().plus(request.lease());
        List<Claimed<R>> claimed = dialect == Dialect.POSTGRES ? claimInOneStatement(table, request, token, expiresAt)
                : claimInOneSqliteStatement(table, request, token, expiresAt);
        return claimed.stream()
                .map(c -> c.withLease(new Lease(table.kind(), table.id().apply(c.row()), c.token(), request.owner(),
                        expiresAt)))
                .toList();
    }

    private <R> List<Claimed<R>> claimInOneStatement(
            PipelineTable<R> table, Request request, UUID token, Instant expiresAt) {
        String sql = "WITH due AS (" + request.candidates() + " FOR NO KEY UPDATE OF t SKIP LOCKED)"
                + " UPDATE " + table.table() + " AS c SET " + LeaseSql.STAMP + " FROM due WHERE c.id = due.claim_id"
                + " RETURNING c.*, due.claim_prev_expires_at, due.claim_priority, due.claim_queue";
        Query query = bind(handle.createQuery(sql), request, token, expiresAt);
        RowMapper<R> rowMapper = query.getConfig().get(RowMappers.class)
                .findFor(table.kind().rowType()).orElseThrow();
        return query.map((rs, ctx) -> {
            ColumnMapper<Instant> instants = ctx.findColumnMapperFor(Instant.class).orElseThrow();
            return new Claimed<>(rowMapper.map(rs, ctx), token, instants.map(rs, "claim_prev_expires_at", ctx) != null,
                    rs.getInt("claim_priority"), rs.getLong("claim_queue"), null);
        }).list();
    }

    /**
     * SQLite: one UPDATE that picks the candidates in a subquery and returns the stamped rows, instead of a select and
     * then an update (the single writer makes it atomic). RETURNING sees only new values, so whether a row's lease had
     * expired (a recovered row) is told by its token: SET expressions read the row as it was, and a row that had a
     * lease gets {@code :recoveredToken} instead of {@code :token}. RETURNING names only the updated table, so a
     * claim in priority order reads each row's priority and place in the queue in subqueries over it.
     */
    private <R> List<Claimed<R>> claimInOneSqliteStatement(
            PipelineTable<R> table, Request request, UUID token, Instant expiresAt) {
        UUID recoveredToken = UUID.randomUUID();
        String self = " FROM " + table.table() + " t" + table.priorityJoin() + " WHERE t.id = " + table.table() + ".id)";
        String order = request.byPriority()
                ? ", (SELECT " + table.priorityColumn() + self + " AS claim_priority, (SELECT " + table.queueExpression()
                        + self + " AS claim_queue"
                : ", 0 AS claim_priority, 0 AS claim_queue";
        String sql = "UPDATE " + table.table() + " SET lock_token = CASE WHEN lock_expires_at IS NULL THEN :token"
                + " ELSE :recoveredToken END, lock_expires_at = :expiresAt, lock_owner = :owner,"
                + " skip_min_processing_interval = FALSE"
                + " WHERE id IN (SELECT claim_id FROM (" + request.candidates() + ")) RETURNING *" + order;
        Query query = bind(handle.createQuery(sql), request, token, expiresAt).bind("recoveredToken", recoveredToken);
        RowMapper<R> rowMapper = query.getConfig().get(RowMappers.class)
                .findFor(table.kind().rowType()).orElseThrow();
        return query.map((rs, ctx) -> {
            UUID stamped = ctx.findColumnMapperFor(UUID.class).orElseThrow().map(rs, "lock_token", ctx);
            return new Claimed<>(rowMapper.map(rs, ctx), stamped, !token.equals(stamped), rs.getInt("claim_priority"),
                    rs.getLong("claim_queue"), null);
        }).list();
    }

    private static Query bind(Query query, Request request, UUID token, Instant expiresAt) {
        query.bind("now", request.now())
                .bind("owner", request.owner())
                .bind("limit", request.limit())
                .bind("token", token)
                .bind("expiresAt", expiresAt);
        if (request.id() != null) {
            query.bind("id", request.id());
        }
        if (request.ids() != null) {
            query.bindList("claim_ids", request.ids());
        }
        if (request.filter() != null) {
            List<DueRule> rules = request.filter().rules();
            for (int i = 0; i < rules.size(); i++) {
                query.bindList("statuses_" + i, List.copyOf(rules.get(i).statuses()));
                query.bind("due_" + i, request.now().minus(rules.get(i).minInterval()));
            }
        }
        return query;
    }

    /**
     * Claim order: least recently processed; or by priority, then place in the queue (fair across users), then oldest
     * submission, then least recently processed; then id as SQL sorts it.
     */
    private static <R> List<Claim<R>> sorted(PipelineTable<R> table, List<Claimed<R>> claimed, boolean byPriority) {
        Comparator<Claimed<R>> order = Comparator.<Claimed<R>>comparingInt(Claimed::priority).reversed()
                .thenComparingLong(Claimed::queue)
                .thenComparing(c -> byPriority ? table.submittedAt().apply(c.row()) : Instant.EPOCH)
                .thenComparing(c -> table.lastProcessedAt().apply(c.row()))
                .thenComparing(c -> table.id().apply(c.row()).toString());
        return claimed.stream().sorted(order).map(Claimed::claim).toList();
    }

    /** @param byPriority claimed in priority order (then the claims are sorted by priority and place in the queue) */
    private record Request(String candidates, Instant now, int limit, String owner, Duration lease,
            ClaimFilter filter, boolean byPriority, UUID id, List<UUID> ids) {
        Request(String candidates, Instant now, int limit, String owner, Duration lease, ClaimFilter filter,
                boolean byPriority) {
            this(candidates, now, limit, owner, lease, filter, byPriority, null, null);
        }

        Request withId(UUID id) {
            return new Request(candidates, now, limit, owner, lease, filter, byPriority, id, null);
        }

        Request withIds(List<UUID> ids) {
            return new Request(candidates, now, limit, owner, lease, filter, byPriority, null, ids);
        }
    }

    /** @param token the lease token the row was stamped with; @param recovered its previous lease had expired */
    private record Claimed<R>(R row, UUID token, boolean recovered, int priority, long queue, Lease lease) {
        Claimed<R> withLease(Lease lease) {
            return new Claimed<>(row, token, recovered, priority, queue, lease);
        }

        Claim<R> claim() {
            return new Claim<>(lease, row, recovered);
        }
    }
}
