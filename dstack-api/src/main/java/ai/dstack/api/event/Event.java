package ai.dstack.api.event;

import ai.dstack.api.json.internal.Values;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Something that happened to runs, jobs, fleets, instances, users or projects (dstack's {@code events/list}).
 *
 * @param actorUserId the user whose request caused it; null when the server did it on its own
 * @param actorUser that user's name, null with no actor
 * @param isActorUserDeleted whether that user has been deleted since; null with no actor
 */
public record Event(
        UUID id,
        String message,
        Instant recordedAt,
        UUID actorUserId,
        String actorUser,
        Boolean isActorUserDeleted,
        List<EventTarget> targets) {
    public Event {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(message, "message is null");
        Objects.requireNonNull(recordedAt, "recordedAt is null");
        targets = Values.list(targets);
    }
}
