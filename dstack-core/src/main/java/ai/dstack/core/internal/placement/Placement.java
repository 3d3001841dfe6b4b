package ai.dstack.core.internal.placement;

import ai.dstack.core.internal.runs.RunVolumes;
import ai.dstack.api.configuration.EntityReference;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.offer.InstanceOffer;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.Requirements;
import ai.dstack.api.run.RunSpec;
import ai.dstack.core.LocalFleetAccess;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.runs.MergedProfile;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Where a job may run: the instances of its project's fleets that can hold it (SSH fleets' hosts that are up, and the
 * local fleet's host, instances of cloud backends), limited to the fleets the run names in {@code fleets} and to
 * those its offer filters accept ({@code backends}, {@code regions}, {@code instance_types}, spot, {@code max_price}). SSH fleets come first: a user who added
 * hosts wants jobs there, and the engine's own machine is the fallback.
 */
public final class Placement {
    private final EngineContext context;
    private final LocalFleet local;
    private final LocalFleetAccess localAccess;
    private final HostRouter router;

    /**
     * An instance that can hold the job, taking {@code blocks} of it. The chosen option goes with the job to its
     * launch, which starts it on {@code remote} (the engine's own host when null) without reading the placement back.
     */
    public record Option(UUID fleetId, String fleetName, UUID instanceId, int blocks, JobProvisioningData provisioningData,
            RemoteHostAddress remote) {}

    public Placement(EngineContext context, LocalFleet local, LocalFleetAccess localAccess, HostRouter router) {
        this.context = context;
        this.local = local;
        this.localAccess = localAccess;
        this.router = router;
    }

    /**
     * Whether any fleet could ever take the job (else it fails at once with "no fleets").
     *
     * @param localServes what {@link #localServes} said of the job
     */
    public boolean anyFleet(JobRow job, boolean localServes) {
        return localServes || router.anyRemote() && !remoteInstances(job.projectId()).isEmpty();
    }

    /** Why no fleet can ever take the job, when {@link #anyFleet} says none can. */
    public String noFleetReason(JobRow job) {
        if (local == null) {
            return "The local fleet is turned off and there are no other fleets";
        }
        return "There are no fleets in this project, and the local fleet serves only "
                + (localAccess == LocalFleetAccess.MEMBERS ? "members of" : "global admins in") + " project main ("
                + LocalFleetAccess.VARIABLE + "=" + localAccess.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }

    /** Why no instance can hold a job that {@link #options} found no place for. */
    public String noMatchReason(ResourcesSpec resources) {
        String disk = local == null ? null : local.shape().diskShortfall(resources);
        return (router.anyRemote() ? "No fleet's host can satisfy the requested resources"
                : "The local fleet's host cannot satisfy the requested resources") + (disk == null ? "" : ": " + disk);
    }

    /**
     * The local fleet belongs to project main; its jobs are processes on the server's own host, so by default only
     * global admins' runs get there ({@link LocalFleetAccess}). The submitter's role is read now, not at submission;
     * the run is the one the step already read (null when it is gone), {@code users} finds its user (a step reads
     * each user once for all its jobs).
     */
    public boolean localServes(JobRow job, RunRow run,
            java.util.function.Function<UUID, Optional<ai.dstack.spi.storage.UserRow>> users) {
        if (local == null || !job.projectId().equals(local.projectId())) {
            return false;
        }
        if (localAccess == LocalFleetAccess.MEMBERS) {
            return true;
        }
        return run != null && users.apply(run.userId())
                .map(user -> "admin".equals(user.globalRole()) && user.active() && !user.deleted()).orElse(false);
    }

    /** The instances that can hold the job, in the order to try them; empty when none can. */
    public List<Option> options(JobRow job, boolean localServesJob, RunSpec runSpec, Requirements requirements) {
        ResourcesSpec resources = requirements.resources();
        // The run's offer filters (backends, regions, instance types, spot, max price) apply to existing instances too.
        ProfileFilter filter = runSpec == null ? ProfileFilter.ANY
                : ProfileFilter.of(MergedProfile.of(runSpec).params(), requirements);
        // A run with network volumes goes only to cloud instances that can attach them.
        boolean needsVolumes = !RunVolumes.mounts(runSpec).isEmpty();
        List<RunVolumes.ProjectVolume> volumes = !needsVolumes ? List.of()
                : context.store.inReadOnlyTransaction(tx -> RunVolumes.of(tx, job.projectId(), runSpec));
        // A job with an image runs only where a container runtime is: the local host's, an SSH host's own.
        boolean needsContainers = runSpec != null && runSpec.configuration().base().image() != null;
        boolean localServes = localServesJob && localAccepted(filter) && !needsVolumes
                && !(needsContainers && router.anyRemote() && router.local().containerRuntime().isEmpty());
        if (!router.anyRemote()) {
            // No SSH fleet or cloud instance ever existed: the local fleet is all there is.
            int blocks = !localServes ? -1 : local.shape().blocksFor(resources);
            return blocks > 0 ? List.of(new Option(local.fleetId(), LocalFleet.NAME, local.instanceId(), blocks,
                    local.provisioningData(blocks), null)) : List.of();
        }
        Set<String> wanted = wantedFleets(runSpec);
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
            InstanceOffer offer = Json.read(instance.offer(), InstanceOffer.class);
            JobProvisioningData host = instance.jobProvisioningData() == null ? null
                    : Json.read(instance.jobProvisioningData(), JobProvisioningData.class);
            if (!filter.accepts(instance.backend() == null ? LocalFleet.BACKEND : instance.backend(),
                    instance.region() == null ? LocalFleet.BACKEND : instance.region(), offer.instance().name(),
                    offer.instance().resources().spot(), instance.price() == null ? 0.0 : instance.price(),
                    host == null ? null : host.availabilityZone(), host == null ? null : host.reservation())) {
                continue;
            }
            if (needsVolumes && !nearVolumes(instance, volumes)) {
                continue;
            }
            HostShape shape = shape(instance);
            int blocks = shape.blocksFor(resources);
            if (blocks > 0 && host != null) {
                if (needsContainers && LocalFleet.BACKEND.equals(host.backend()) && !host.dockerized()) {
                    continue; // an SSH host whose probe found no Docker or Podman engine
                }
                options.add(new Option(instance.fleetId(), fleetName, instance.id(), blocks,
                        host.withInstanceType(HostShape.share(host.instanceType(), blocks, shape.blocks())),
                        Json.read(instance.remoteConnectionInfo(), RemoteConnectionInfo.class).address()));
            }
        }
        if (localServes && (wanted == null || wanted.contains(LocalFleet.NAME))) {
            int blocks = local.shape().blocksFor(resources);
            if (blocks > 0) {
                options.add(new Option(local.fleetId(), LocalFleet.NAME, local.instanceId(), blocks,
                        local.provisioningData(blocks), null));
            }
        }
        return options;
    }

    private static boolean nearVolumes(InstanceRow instance, List<RunVolumes.ProjectVolume> volumes) {
        if (instance.backend() == null || volumes.isEmpty()) {
            return false;
        }
        String zone = instance.jobProvisioningData() == null ? null
                : Json.read(instance.jobProvisioningData(), JobProvisioningData.class).availabilityZone();
        return volumes.stream().allMatch(v -> v.reachableFrom(instance.backend(), instance.region(), zone));
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

    /** {@link #blocksHeld(JobRow, ResourcesSpec)} for a job on {@code instance}, as read in the caller's transaction. */
    public int blocksHeld(InstanceRow instance, ResourcesSpec resources) {
        if (local != null && instance.id().equals(local.instanceId())) {
            return local.shape().blocksNeeded(resources);
        }
        return instance.offer() == null ? 0 : shape(instance).blocksNeeded(resources);
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

    /** The local host: on-demand, free, in backend and region {@code remote}. */
    private boolean localAccepted(ProfileFilter filter) {
        return filter.accepts(LocalFleet.BACKEND, LocalFleet.BACKEND, local.shape().instanceType().name(), false, 0.0,
                null, null);
    }

    /** The fleet names the run is limited to, or null for any. */
    private static Set<String> wantedFleets(RunSpec spec) {
        if (spec == null) {
            return null;
        }
        List<EntityReference> fleets = MergedProfile.of(spec).params().fleets();
        return fleets == null || fleets.isEmpty() ? null
                : fleets.stream().map(EntityReference::name).collect(Collectors.toSet());
    }
}
