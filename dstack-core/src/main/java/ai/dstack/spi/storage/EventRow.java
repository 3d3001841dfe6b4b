package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Something that happened to runs, jobs, fleets, instances, users or projects (dstack's events): tables
 * {@code events} and {@code event_targets}.
 *
 * @param actorUserId the user whose request caused it; null when the server did it on its own
 * @param targets what it happened to, at least one
 */
public record EventRow(UUID id, String message, Instant recordedAt, UUID actorUserId, List<Target> targets) {

    public EventRow {
        Rows.required(id, "id");
        Rows.required(message, "message");
        recordedAt = Rows.micros(Rows.required(recordedAt, "recordedAt"));
        targets = List.copyOf(Rows.required(targets, "targets"));
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("an event needs at least one target");
        }
    }

    /**
     * One thing an event is about.
     *
     * @param type dstack's target type: {@code project}, {@code user}, {@code fleet}, {@code instance}, {@code run},
     *     {@code job}, {@code volume}, {@code gateway}, {@code secret}
     * @param projectId the project the target belongs to; null for users and projects themselves
     * @param name the target's name when the event was recorded
     */
    public record Target(String type, UUID projectId, UUID id, String name) {
        public Target {
            Rows.required(type, "type");
            Rows.required(id, "id");
            Rows.required(name, "name");
        }
    }
}
