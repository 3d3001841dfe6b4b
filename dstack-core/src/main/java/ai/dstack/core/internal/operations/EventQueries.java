package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.event.Event;
import ai.dstack.api.event.EventTarget;
import ai.dstack.api.event.ListEventsRequest;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.spi.storage.EventFilter;
import ai.dstack.spi.storage.EventRow;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * dstack's {@code events/list}: the events a caller may see (an admin all; others those about their projects and
 * themselves), with dstack's filters and keyset paging, actors and targets named as they are now.
 */
public final class EventQueries {
    private static final int MAX_IDS = 16;

    private final EngineContext context;

    public EventQueries(EngineContext context) {
        this.context = context;
    }

    public List<Event> list(UserRow caller, ListEventsRequest request) {
        EventFilter filter = filter(request);
        return context.store.inReadOnlyTransaction(tx -> {
            EventFilter visible = filter;
            if (!Users.isAdmin(caller)) {
                List<UUID> projects = tx.projects().memberships(caller.id()).stream().map(MemberRow::projectId).toList();
                visible = filter.visibleTo(projects, caller.id());
            }
            Names names = new Names(tx);
            List<Event> events = new ArrayList<>();
            for (EventRow row : tx.events().list(visible)) {
                events.add(view(row, names));
            }
            return events;
        });
    }

    /** The store's filter for the request; a request that combines what dstack does not is refused. */
    static EventFilter filter(ListEventsRequest r) {
        if (r.limit() < 1 || r.limit() > 100) {
            throw new DstackException(ErrorCode.ERROR, "limit must be between 1 and 100, not " + r.limit());
        }
        Map<String, List<UUID>> targets = new LinkedHashMap<>();
        put(targets, "project", r.targetProjects());
        put(targets, "user", r.targetUsers());
        put(targets, "fleet", r.targetFleets());
        put(targets, "instance", r.targetInstances());
        put(targets, "run", r.targetRuns());
        put(targets, "job", r.targetJobs());
        put(targets, "volume", r.targetVolumes());
        put(targets, "gateway", r.targetGateways());
        put(targets, "secret", r.targetSecrets());
        if (targets.size() > 1) {
            throw new DstackException(ErrorCode.ERROR, "At most one of target_" + String.join("s, target_", targets.keySet())
                    + "s can be set");
        }
        Map<String, List<UUID>> within = new LinkedHashMap<>();
        put(within, "projects", r.withinProjects());
        put(within, "fleets", r.withinFleets());
        put(within, "runs", r.withinRuns());
        if (within.size() > 1) {
            throw new DstackException(ErrorCode.ERROR, "At most one of within_" + String.join(", within_", within.keySet())
                    + " can be set");
        }
        EventFilter filter = EventFilter.all(r.limit(), r.ascending());
        for (Map.Entry<String, List<UUID>> target : targets.entrySet()) {
            filter = filter.withTargets(target.getKey(), target.getValue());
        }
        if (r.withinProjects() != null) {
            filter = filter.withinProjects(checked("within_projects", r.withinProjects()));
        }
        if (r.withinFleets() != null) {
            filter = filter.withinFleets(checked("within_fleets", r.withinFleets()));
        }
        if (r.withinRuns() != null) {
            filter = filter.withinRuns(checked("within_runs", r.withinRuns()));
        }
        if (r.includeTargetTypes() != null) {
            filter = filter.includeTargetTypes(r.includeTargetTypes());
        }
        if (r.actors() != null) {
            filter = filter.actors(r.actors());
        }
        if (r.prevRecordedAt() != null) {
            filter = filter.after(r.prevRecordedAt(), r.prevId());
        } else if (r.prevId() != null) {
            throw new DstackException(ErrorCode.ERROR, "prev_id requires prev_recorded_at");
        }
        return filter;
    }

    private static void put(Map<String, List<UUID>> map, String name, List<UUID> ids) {
        if (ids != null) {
            map.put(name, checked(name, ids));
        }
    }

    private static List<UUID> checked(String name, List<UUID> ids) {
        if (ids.isEmpty() || ids.size() > MAX_IDS) {
            throw new DstackException(ErrorCode.ERROR, name + " must list 1 to " + MAX_IDS + " ids, not " + ids.size());
        }
        return ids;
    }

    private static Event view(EventRow row, Names names) {
        List<EventTarget> targets = new ArrayList<>();
        for (EventRow.Target t : row.targets()) {
            Optional<ProjectRow> project = t.projectId() == null ? Optional.empty() : names.project(t.projectId());
            targets.add(new EventTarget(t.type(), t.projectId(),
                    t.projectId() == null ? null : project.map(ProjectRow::name).orElse(null),
                    t.projectId() == null ? null : project.map(ProjectRow::deleted).orElse(true), t.id(), t.name()));
        }
        Optional<UserRow> actor = row.actorUserId() == null ? Optional.empty() : names.user(row.actorUserId());
        return new Event(row.id(), row.message(), row.recordedAt(), row.actorUserId(),
                row.actorUserId() == null ? null : actor.map(u -> u.deleted() && u.originalName() != null
                        ? u.originalName() : u.name()).orElse(null),
                row.actorUserId() == null ? null : actor.map(UserRow::deleted).orElse(true), targets);
    }

    /** Users and projects read once per listing. */
    private static final class Names {
        private final StoreTransaction tx;
        private final Map<UUID, Optional<UserRow>> users = new HashMap<>();
        private final Map<UUID, Optional<ProjectRow>> projects = new HashMap<>();

        Names(StoreTransaction tx) {
            this.tx = tx;
        }

        Optional<UserRow> user(UUID id) {
            return users.computeIfAbsent(id, i -> tx.users().find(i));
        }

        Optional<ProjectRow> project(UUID id) {
            return projects.computeIfAbsent(id, i -> tx.projects().find(i));
        }
    }
}
