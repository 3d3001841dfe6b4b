package ai.dstack.api.event;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

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
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs,
                targetVolumes, targetGateways, targetSecrets, withinProjects, withinFleets, runs, includeTargetTypes,
                actors, prevRecordedAt, prevId, limit, ascending);
    }

    public ListEventsRequest withinProjects(List<UUID> projects) {
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs,
                targetVolumes, targetGateways, targetSecrets, projects, withinFleets, withinRuns, includeTargetTypes,
                actors, prevRecordedAt, prevId, limit, ascending);
    }

    public ListEventsRequest withinFleets(List<UUID> fleets) {
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs,
                targetVolumes, targetGateways, targetSecrets, withinProjects, fleets, withinRuns, includeTargetTypes,
                actors, prevRecordedAt, prevId, limit, ascending);
    }

    public ListEventsRequest targetRuns(List<UUID> runs) {
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, runs, targetJobs,
                targetVolumes, targetGateways, targetSecrets, withinProjects, withinFleets, withinRuns, includeTargetTypes,
                actors, prevRecordedAt, prevId, limit, ascending);
    }

    public ListEventsRequest targetSecrets(List<UUID> secrets) {
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs,
                targetVolumes, targetGateways, secrets, withinProjects, withinFleets, withinRuns, includeTargetTypes,
                actors, prevRecordedAt, prevId, limit, ascending);
    }

    /** Only events with a target of these types ({@code run}, {@code job}, {@code fleet}, {@code secret}...). */
    public ListEventsRequest includeTargetTypes(List<String> types) {
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs,
                targetVolumes, targetGateways, targetSecrets, withinProjects, withinFleets, withinRuns, types,
                actors, prevRecordedAt, prevId, limit, ascending);
    }

    public ListEventsRequest ascending(boolean oldestFirst) {
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs,
                targetVolumes, targetGateways, targetSecrets, withinProjects, withinFleets, withinRuns, includeTargetTypes,
                actors, prevRecordedAt, prevId, limit, oldestFirst);
    }

    /** Only events recorded after {@code time} (with {@link #ascending(boolean) ascending}, the oldest first). */
    public ListEventsRequest since(Instant time) {
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs,
                targetVolumes, targetGateways, targetSecrets, withinProjects, withinFleets, withinRuns, includeTargetTypes,
                actors, time, null, limit, ascending);
    }

    /** The page after {@code last} (in this request's order). */
    public ListEventsRequest after(Event last) {
        return new ListEventsRequest(targetProjects, targetUsers, targetFleets, targetInstances, targetRuns, targetJobs,
                targetVolumes, targetGateways, targetSecrets, withinProjects, withinFleets, withinRuns, includeTargetTypes,
                actors, last.recordedAt(), last.id(), limit, ascending);
    }
}
