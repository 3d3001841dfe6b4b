package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which events {@link EventStore#list} returns (dstack's {@code events/list} filters). Null or empty collections
 * mean "no condition".
 *
 * @param targetType with {@code targetIds}: events with a target of this type and one of these ids
 * @param withinProjects events with a target in one of these projects (or that is one of them)
 * @param withinFleets events about these fleets or their instances
 * @param withinRuns events about these runs or their jobs
 * @param includeTargetTypes events with a target of one of these types
 * @param actors events whose actor is one of these users; a null element stands for "the server"
 * @param visibleProjects when not null, only events with a target in (or that is) one of these projects, or about
 *     {@code visibleUser}: what a non-admin may see
 * @param prevRecordedAt with {@code prevId}: the last event of the previous page
 */
public record EventFilter(
        String targetType,
        Set<UUID> targetIds,
        Set<UUID> withinProjects,
        Set<UUID> withinFleets,
        Set<UUID> withinRuns,
        Set<String> includeTargetTypes,
        List<UUID> actors,
        Set<UUID> visibleProjects,
        UUID visibleUser,
        Instant prevRecordedAt,
        UUID prevId,
        int limit,
        boolean ascending) {

    public static EventFilter all(int limit, boolean ascending) {
        return new EventFilter(null, null, null, null, null, null, null, null, null, null, null, limit, ascending);
    }

    public EventFilter withTargets(String type, Collection<UUID> ids) {
        return new EventFilter(type, Set.copyOf(ids), withinProjects, withinFleets, withinRuns, includeTargetTypes,
                actors, visibleProjects, visibleUser, prevRecordedAt, prevId, limit, ascending);
    }

    public EventFilter withinProjects(Collection<UUID> ids) {
        return new EventFilter(targetType, targetIds, Set.copyOf(ids), withinFleets, withinRuns, includeTargetTypes,
                actors, visibleProjects, visibleUser, prevRecordedAt, prevId, limit, ascending);
    }

    public EventFilter withinFleets(Collection<UUID> ids) {
        return new EventFilter(targetType, targetIds, withinProjects, Set.copyOf(ids), withinRuns, includeTargetTypes,
                actors, visibleProjects, visibleUser, prevRecordedAt, prevId, limit, ascending);
    }

    public EventFilter withinRuns(Collection<UUID> ids) {
        return new EventFilter(targetType, targetIds, withinProjects, withinFleets, Set.copyOf(ids), includeTargetTypes,
                actors, visibleProjects, visibleUser, prevRecordedAt, prevId, limit, ascending);
    }

    public EventFilter includeTargetTypes(Collection<String> types) {
        return new EventFilter(targetType, targetIds, withinProjects, withinFleets, withinRuns, Set.copyOf(types),
                actors, visibleProjects, visibleUser, prevRecordedAt, prevId, limit, ascending);
    }

    public EventFilter actors(List<UUID> users) {
        return new EventFilter(targetType, targetIds, withinProjects, withinFleets, withinRuns, includeTargetTypes,
                users, visibleProjects, visibleUser, prevRecordedAt, prevId, limit, ascending);
    }

    public EventFilter visibleTo(Collection<UUID> projects, UUID user) {
        return new EventFilter(targetType, targetIds, withinProjects, withinFleets, withinRuns, includeTargetTypes,
                actors, Set.copyOf(projects), user, prevRecordedAt, prevId, limit, ascending);
    }

    public EventFilter after(Instant recordedAt, UUID id) {
        return new EventFilter(targetType, targetIds, withinProjects, withinFleets, withinRuns, includeTargetTypes,
                actors, visibleProjects, visibleUser, recordedAt, id, limit, ascending);
    }
}
