package ai.dstack.core.internal.placement;

import ai.dstack.api.configuration.EntityReference;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.offer.InstanceOffer;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.runs.MergedProfile;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Where a job may run: the instances of its project's fleets that can hold it (SSH fleets' hosts that are up, and the
 * local fleet's host), limited to the fleets the run names in {@code fleets}. SSH fleets come first: a user who added
 * hosts wants jobs there, and the engine's own machine is the fallback.
 */
public final class Placement {
    private final EngineContext context;
    private final LocalFleet local;
    private final HostRouter router;

    /** An instance that can hold the job, taking {@code blocks} of it. */
    public record Option(UUID fleetId, String fleetName, UUID instanceId, int blocks, JobProvisioningData provisioningData) {}

    public Placement(EngineContext context, LocalFleet local, HostRouter router) {
        this.context = context;
        this.local = local;
        this.router = router;
    }

    /** Whether any fleet could ever take jobs (else the job fails at once with "no fleets"). */
    public boolean anyFleet(UUID projectId) {
        return local != null || router.anyRemote() && !remoteInstances(projectId).isEmpty();
    }

    /** Why no instance can hold a job that {@link #options} found no place for. */
    public String noMatchReason() {
        return router.anyRemote() ? "No fleet's host can satisfy the requested resources"
                : "The local fleet's host cannot satisfy the requested resources";
    }

    /** The instances that can hold the job, in the order to try them; empty when none can. */
    public List<Option> options(JobRow job, ResourcesSpec resources) {
        if (!router.anyRemote()) {
            // No SSH fleet ever existed: the local fleet is all there is, decided without reading anything.
            int blocks = local == null ? -1 : local.shape().blocksNeeded(resources);
            return blocks > 0 ? List.of(new Option(local.fleetId(), LocalFleet.NAME, local.instanceId(), blocks,
                    local.provisioningData())) : List.of();
        }
        Set<String> wanted = wantedFleets(job);
        List<Option> options = new ArrayList<>();
        Map<UUID, String> fleetNames = context.store.inReadOnlyTransaction(tx -> tx.fleets().listByProject(job.projectId()))
                .stream().filter(f -> !f.deleted()).collect(Collectors.toMap(FleetRow::id, FleetRow::name));
        for (InstanceRow instance : remoteInstances(job.projectId())) {
            String fleetName = fleetNames.get(instance.fleetId());
            InstanceStatus status = InstanceStatus.fromWireValue(instance.status());
            boolean up = (status == InstanceStatus.IDLE || status == InstanceStatus.BUSY) && !instance.unreachable();
            if (fleetName == null || !up || wanted != null && !wanted.contains(fleetName)) {
                continue;
            }
            int blocks = shape(instance).blocksNeeded(resources);
            if (blocks > 0) {
                options.add(new Option(instance.fleetId(), fleetName, instance.id(), blocks,
                        Json.read(instance.jobProvisioningData(), JobProvisioningData.class)));
            }
        }
        if (local != null && (wanted == null || wanted.contains(LocalFleet.NAME))) {
            int blocks = local.shape().blocksNeeded(resources);
            if (blocks > 0) {
                options.add(new Option(local.fleetId(), LocalFleet.NAME, local.instanceId(), blocks,
                        local.provisioningData()));
            }
        }
        return options;
    }

    /** The blocks the job holds on its instance (what to give back when it ends). */
    public int blocksHeld(JobRow job, ResourcesSpec resources) {
        if (job.instanceId() == null) {
            return 0;
        }
        if (local != null && job.instanceId().equals(local.instanceId())) {
            return local.shape().blocksNeeded(resources);
        }
        return context.store.inReadOnlyTransaction(tx -> tx.instances().find(job.instanceId()))
                .filter(i -> i.offer() != null).map(i -> shape(i).blocksNeeded(resources)).orElse(0);
    }

    private static HostShape shape(InstanceRow instance) {
        InstanceOffer offer = Json.read(instance.offer(), InstanceOffer.class);
        int total = instance.totalBlocks() == null ? 1 : instance.totalBlocks();
        return HostShape.of(offer.instance(), total);
    }

    private List<InstanceRow> remoteInstances(UUID projectId) {
        return context.store.inReadOnlyTransaction(tx -> tx.instances().listByProject(projectId)).stream()
                .filter(i -> !i.deleted() && i.remoteConnectionInfo() != null && i.offer() != null)
                .sorted(Comparator.comparing(InstanceRow::createdAt).thenComparingInt(InstanceRow::instanceNum))
                .toList();
    }

    /** The fleet names the run is limited to, or null for any. */
    private Set<String> wantedFleets(JobRow job) {
        RunSpec spec = context.store.inReadOnlyTransaction(tx -> tx.runs().find(job.runId()))
                .map(run -> Json.read(run.runSpec(), RunSpec.class)).orElse(null);
        if (spec == null) {
            return null;
        }
        List<EntityReference> fleets = MergedProfile.of(spec).params().fleets();
        return fleets == null || fleets.isEmpty() ? null
                : fleets.stream().map(EntityReference::name).collect(Collectors.toSet());
    }
}
