package ai.dstack.storage.internal;

import ai.dstack.spi.storage.EventRow;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Writes events held back until their transaction commits: all events in one multi-row INSERT and all their targets
 * in another, so a transaction that records several events (or a group commit carrying several callers' events)
 * costs two statements, not two per event.
 */
final class HeldEvents {
    /** Rows per multi-row INSERT, well under SQLite's limit on bound parameters. */
    private static final int ROWS_PER_STATEMENT = 150;

    private HeldEvents() {}

    static void write(Handle handle, List<EventRow> events) {
        for (int from = 0; from < events.size(); from += ROWS_PER_STATEMENT) {
            List<EventRow> chunk = events.subList(from, Math.min(events.size(), from + ROWS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder("INSERT INTO events (id, message, recorded_at, actor_user_id) VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("(:id").append(i).append(", :message").append(i)
                        .append(", :recordedAt").append(i).append(", :actor").append(i).append(')');
            }
            var insert = handle.createUpdate(sql.toString());
            for (int i = 0; i < chunk.size(); i++) {
                EventRow event = chunk.get(i);
                insert.bind("id" + i, event.id()).bind("message" + i, event.message())
                        .bind("recordedAt" + i, event.recordedAt()).bindByType("actor" + i, event.actorUserId(), UUID.class);
            }
            insert.execute();
        }
        List<TargetOf> targets = new ArrayList<>();
        for (EventRow event : events) {
            for (int position = 0; position < event.targets().size(); position++) {
                targets.add(new TargetOf(event.id(), position, event.targets().get(position)));
            }
        }
        for (int from = 0; from < targets.size(); from += ROWS_PER_STATEMENT) {
            List<TargetOf> chunk = targets.subList(from, Math.min(targets.size(), from + ROWS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder("INSERT INTO event_targets (event_id, position, entity_type,"
                    + " entity_project_id, entity_id, entity_name) VALUES ");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("(:event").append(i).append(", :position").append(i)
                        .append(", :type").append(i).append(", :project").append(i).append(", :entity").append(i)
                        .append(", :name").append(i).append(')');
            }
            var insert = handle.createUpdate(sql.toString());
            for (int i = 0; i < chunk.size(); i++) {
                TargetOf row = chunk.get(i);
                insert.bind("event" + i, row.eventId()).bind("position" + i, row.position())
                        .bind("type" + i, row.target().type())
                        .bindByType("project" + i, row.target().projectId(), UUID.class)
                        .bind("entity" + i, row.target().id()).bind("name" + i, row.target().name());
            }
            insert.execute();
        }
    }

    private record TargetOf(UUID eventId, int position, EventRow.Target target) {}
}
