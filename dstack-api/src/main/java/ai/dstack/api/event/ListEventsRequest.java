package ai.dstack.api.event;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * dstack's {@code events/list} body. At most one {@code target*} list and at most one {@code within*} list may be set
 * (each 1..16 ids); null means "no condition".
 *
 * @param actors users whose requests caused the events; a null element stands for the server itself
 * @param prevRecordedAt with {@code prevId}: the last event of the previous page
 * @param limit 1..100
 * @param ascending oldest first (default newest first)
 */
public record ListEventsRequest(
        List<UUID> targetProjects,
        List<UUID> targetUsers,
        List<UUID> targetFleets,
        List<UUID> targetInstances,
        List<UUID> targetRuns,
        List<UUID> targetJobs,
        List<UUID> targetVolumes,
        List<UUID> targetGateways,
        List<UUID> targetSecrets,
        List<UUID> withinProjects,
        List<UUID> withinFleets,
        List<UUID> withinRuns,
        List<String> includeTargetTypes,
        List<UUID> actors,
        Instant prevRecordedAt,
        UUID prevId,
        int limit,
        boolean ascending) {

    /** Every event the caller may see, newest first, one page of {@code limit}. */
    public static ListEventsRequest all(int limit) {
        return new ListEventsRequest(null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, limit, false);
    }

    public ListEventsRequest withinRuns(List<UUID> runs) {
        return with(copy -> copy.withinRuns = runs);
    }

    public ListEventsRequest withinProjects(List<UUID> projects) {
        return with(copy -> copy.withinProjects = projects);
    }

    public ListEventsRequest withinFleets(List<UUID> fleets) {
        return with(copy -> copy.withinFleets = fleets);
    }

    public ListEventsRequest targetRuns(List<UUID> runs) {
        return with(copy -> copy.targetRuns = runs);
    }

    public ListEventsRequest targetSecrets(List<UUID> secrets) {
        return with(copy -> copy.targetSecrets = secrets);
    }

    /** Only events with a target of these types ({@code run}, {@code job}, {@code fleet}, {@code secret}...). */
    public ListEventsRequest includeTargetTypes(List<String> types) {
        return with(copy -> copy.includeTargetTypes = types);
    }

    public ListEventsRequest ascending(boolean oldestFirst) {
        return with(copy -> copy.ascending = oldestFirst);
    }

    /** Only events recorded after {@code time} (with {@link #ascending(boolean) ascending}, the oldest first). */
    public ListEventsRequest since(Instant time) {
        return with(copy -> {
            copy.prevRecordedAt = time;
            copy.prevId = null;
        });
    }

    /** The page after {@code last} (in this request's order). */
    public ListEventsRequest after(Event last) {
        return with(copy -> {
            copy.prevRecordedAt = last.recordedAt();
            copy.prevId = last.id();
        });
    }

    private ListEventsRequest with(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.build();
    }

    /** A mutable copy, so that each wither names only the field it changes. */
    private static final class Copy {
        List<UUID> targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs, targetVolumes,
                targetGateways, targetSecrets, withinProjects, withinFleets, withinRuns, actors;
        List<String> includeTargetTypes;
        Instant prevRecordedAt;
        UUID prevId;
        int limit;
        boolean ascending;

        Copy(ListEventsRequest r) {
            targetProjects = r.targetProjects;
            targetUsers = r.targetUsers;
            targetFleets = r.targetFleets;
            targetInstances = r.targetInstances;
            targetRuns = r.targetRuns;
            targetJobs = r.targetJobs;
            targetVolumes = r.targetVolumes;
            targetGateways = r.targetGateways;
            targetSecrets = r.targetSecrets;
            withinProjects = r.withinProjects;
            withinFleets = r.withinFleets;
            withinRuns = r.withinRuns;
            includeTargetTypes = r.includeTargetTypes;
            actors = r.actors;
            prevRecordedAt = r.prevRecordedAt;
            prevId = r.prevId;
            limit = r.limit;
            ascending = r.ascending;
        }

        ListEventsRequest build() {
            return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns,
                    targetJobs, targetVolumes, targetGateways, targetSecrets, withinProjects, withinFleets, withinRuns,
                    includeTargetTypes, actors, prevRecordedAt, prevId, limit, ascending);
        }
    }
}
