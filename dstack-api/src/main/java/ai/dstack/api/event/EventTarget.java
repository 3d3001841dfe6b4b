package ai.dstack.api.event;

import java.util.Objects;
import java.util.UUID;

/**
 * What an event is about.
 *
 * @param type {@code project}, {@code user}, {@code fleet}, {@code instance}, {@code run}, {@code job},
 *     {@code volume}, {@code gateway} or {@code secret}
 * @param projectId the target's project; null for users and projects themselves
 */
public record EventTarget(String type, UUID projectId, String projectName, Boolean isProjectDeleted, UUID id, String name) {
    public EventTarget {
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(name, "name is null");
    }
}
