package ai.dstack.storage.internal;

import ai.dstack.spi.storage.EventFilter;
import ai.dstack.spi.storage.EventRow;
import ai.dstack.spi.storage.EventStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.statement.Query;

/**
 * Events and their targets; {@link #list} builds one query from the filter's conditions. Inserted events are held
 * back and written just before the transaction commits ({@link HeldEvents}).
 */
final class JdbcEventStore implements EventStore {
    private final TxContext tx;

    JdbcEventStore(TxContext tx) {
        this.tx = tx;
    }

    @Override
    public void insert(EventRow event) {
        tx.holdEvent(Objects.requireNonNull(event, "event is null"));
    }

    @Override
    public List<EventRow> list(EventFilter filter) {
        tx.writeHeldEvents();
        List<String> conditions = new ArrayList<>();
        List<Consumer<Query>> binds = new ArrayList<>();
        if (filter.targetIds() != null && !filter.targetIds().isEmpty()) {
            conditions.add(anyTarget("t.entity_type = :targetType AND t.entity_id IN (<targetIds>)"));
            binds.add(q -> q.bind("targetType", filter.targetType()).bindList("targetIds", List.copyOf(filter.targetIds())));
        }
        if (filter.withinProjects() != null && !filter.withinProjects().isEmpty()) {
            conditions.add(anyTarget("(t.entity_project_id IN (<withinProjects>)"
                    + " OR (t.entity_type = 'project' AND t.entity_id IN (<withinProjects>)))"));
            binds.add(q -> q.bindList("withinProjects", List.copyOf(filter.withinProjects())));
        }
        if (filter.withinFleets() != null && !filter.withinFleets().isEmpty()) {
            conditions.add(anyTarget("((t.entity_type = 'fleet' AND t.entity_id IN (<withinFleets>))"
                    + " OR (t.entity_type = 'instance' AND t.entity_id IN"
                    + " (SELECT id FROM instances WHERE fleet_id IN (<withinFleets>))))"));
            binds.add(q -> q.bindList("withinFleets", List.copyOf(filter.withinFleets())));
        }
        if (filter.withinRuns() != null && !filter.withinRuns().isEmpty()) {
            conditions.add(anyTarget("((t.entity_type = 'run' AND t.entity_id IN (<withinRuns>))"
                    + " OR (t.entity_type = 'job' AND t.entity_id IN (SELECT id FROM jobs WHERE run_id IN (<withinRuns>))))"));
            binds.add(q -> q.bindList("withinRuns", List.copyOf(filter.withinRuns())));
        }
        if (filter.includeTargetTypes() != null && !filter.includeTargetTypes().isEmpty()) {
            conditions.add(anyTarget("t.entity_type IN (<includeTypes>)"));
            binds.add(q -> q.bindList("includeTypes", List.copyOf(filter.includeTargetTypes())));
        }
        if (filter.actors() != null && !filter.actors().isEmpty()) {
            List<UUID> users = filter.actors().stream().filter(Objects::nonNull).toList();
            boolean server = filter.actors().stream().anyMatch(Objects::isNull);
            List<String> either = new ArrayList<>();
            if (!users.isEmpty()) {
                either.add("e.actor_user_id IN (<actors>)");
                binds.add(q -> q.bindList("actors", users));
            }
            if (server) {
                either.add("e.actor_user_id IS NULL");
            }
            conditions.add("(" + String.join(" OR ", either) + ")");
        }
        if (filter.visibleProjects() != null) {
            List<String> either = new ArrayList<>();
            if (!filter.visibleProjects().isEmpty()) {
                either.add("t.entity_project_id IN (<visibleProjects>)"
                        + " OR (t.entity_type = 'project' AND t.entity_id IN (<visibleProjects>))");
                binds.add(q -> q.bindList("visibleProjects", List.copyOf(filter.visibleProjects())));
            }
            if (filter.visibleUser() != null) {
                either.add("(t.entity_type = 'user' AND t.entity_id = :visibleUser)");
                binds.add(q -> q.bind("visibleUser", filter.visibleUser()));
            }
            conditions.add(either.isEmpty() ? "1 = 0" : anyTarget("(" + String.join(" OR ", either) + ")"));
        }
        String direction = filter.ascending() ? "ASC" : "DESC";
        if (filter.prevRecordedAt() != null) {
            String after = filter.ascending() ? ">" : "<";
            conditions.add(filter.prevId() == null
                    ? "e.recorded_at " + after + " :prevAt"
                    : "(e.recorded_at " + after + " :prevAt OR (e.recorded_at = :prevAt AND e.id " + after + " :prevId))");
            binds.add(q -> {
                q.bind("prevAt", filter.prevRecordedAt());
                if (filter.prevId() != null) {
                    q.bind("prevId", filter.prevId());
                }
            });
        }
        String sql = "SELECT e.id, e.message, e.recorded_at, e.actor_user_id FROM events e"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY e.recorded_at " + direction + ", e.id " + direction + " LIMIT :limit";
        Query query = tx.handle().createQuery(sql).bind("limit", filter.limit());
        binds.forEach(bind -> bind.accept(query));
        Map<UUID, Head> heads = new LinkedHashMap<>();
        query.map((rs, ctx) -> new Head(
                        ctx.findColumnMapperFor(UUID.class).orElseThrow().map(rs, "id", ctx),
                        rs.getString("message"),
                        ctx.findColumnMapperFor(Instant.class).orElseThrow().map(rs, "recorded_at", ctx),
                        ctx.findColumnMapperFor(UUID.class).orElseThrow().map(rs, "actor_user_id", ctx)))
                .forEach(head -> heads.put(head.id, head));
        if (heads.isEmpty()) {
            return List.of();
        }
        Map<UUID, List<EventRow.Target>> targets = new LinkedHashMap<>();
        tx.handle().createQuery("SELECT * FROM event_targets WHERE event_id IN (<ids>) ORDER BY event_id, position")
                .bindList("ids", List.copyOf(heads.keySet()))
                .map((rs, ctx) -> {
                    var uuids = ctx.findColumnMapperFor(UUID.class).orElseThrow();
                    UUID eventId = uuids.map(rs, "event_id", ctx);
                    targets.computeIfAbsent(eventId, id -> new ArrayList<>()).add(new EventRow.Target(
                            rs.getString("entity_type"), uuids.map(rs, "entity_project_id", ctx),
                            uuids.map(rs, "entity_id", ctx), rs.getString("entity_name")));
                    return eventId;
                })
                .list();
        List<EventRow> events = new ArrayList<>();
        for (Head head : heads.values()) {
            events.add(new EventRow(head.id, head.message, head.recordedAt, head.actor, targets.getOrDefault(head.id, List.of())));
        }
        return events;
    }

    /** The event has a target {@code t} for which the condition holds. */
    private static String anyTarget(String condition) {
        return "EXISTS (SELECT 1 FROM event_targets t WHERE t.event_id = e.id AND " + condition + ")";
    }

    @Override
    public int deleteOlderThan(Instant cutoff) {
        tx.writeHeldEvents();
        // Targets go with their events (ON DELETE CASCADE).
        return tx.handle().createUpdate("DELETE FROM events WHERE recorded_at < :cutoff").bind("cutoff", cutoff).execute();
    }

    private record Head(UUID id, String message, Instant recordedAt, UUID actor) {}
}
