package ai.dstack.core.internal.cloud;

import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.FleetNodes;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.JobSpec;
import ai.dstack.core.internal.context.EventLog;
import ai.dstack.spi.backend.OfferRequirements;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Cloud fleets with a {@code nodes} range ({@code 0..4}, {@code {min: 1, max: 3}}) grow on demand: a job that no
 * instance can take gets a new instance in such a fleet while the fleet has fewer than {@code nodes.max} instances,
 * made from the fleet's own resources and filters narrowed to the instance types the job fits, as dstack provisions
 * into elastic fleets. One instance is made at a time per fleet; the job waits for it. Idle instances go after the
 * fleet's {@code idle_duration} like the others, so the fleet shrinks again. A fleet of a fixed size
 * ({@code nodes: 2}) does not grow.
 */
final class FleetGrowth {
    private final StateStore store;
    private final Clock clock;
    private final EventLog events;
    private final CloudFleets fleets;

    FleetGrowth(StateStore store, Clock clock, EventLog events, CloudFleets fleets) {
        this.store = store;
        this.clock = clock;
        this.events = events;
        this.fleets = fleets;
    }

    /**
     * Why the job waits: the instance added for it (or one being made in a fleet it may grow), or empty when no fleet
     * of the project may grow for it.
     *
     * @param wanted the fleets the run is limited to ({@code fleets}); null for any
     */
    Optional<String> grow(ProjectRow project, String user, ProfileParams profile, List<String> wanted, JobSpec job) {
        for (FleetRow fleet : store.inReadOnlyTransaction(tx -> tx.fleets().listByProject(project.id()))) {
            if (fleet.deleted() || !"active".equals(fleet.status())
                    || wanted != null && !wanted.contains(fleet.name())) {
                continue;
            }
            FleetSpec spec = CloudFleets.read(fleet.spec(), FleetSpec.class);
            if (!CloudFleets.isCloud(spec) || spec.autocreated() || !elastic(spec.configuration().nodes())) {
                continue;
            }
            FleetConfiguration c = spec.configuration();
            List<InstanceRow> live = store.inReadOnlyTransaction(tx -> tx.instances().listByFleet(fleet.id()))
                    .stream().filter(i -> !i.deleted() && !ended(i)).toList();
            Optional<InstanceRow> inFlight = live.stream().filter(FleetGrowth::beingMade).findFirst();
            if (inFlight.isPresent()) {
                return Optional.of("Waiting for instance " + inFlight.get().name() + " of fleet " + fleet.name());
            }
            Integer max = c.nodes().max();
            if (max != null && live.size() >= max) {
                continue;
            }
            Instant now = clock.instant();
            if (FleetBackoff.nextTry(fleet) == null) {
                continue; // it gave up; another fleet or a VM of the run's own may take the job
            }
            String waiting = FleetBackoff.waiting(fleet, now);
            if (waiting != null) {
                return Optional.of(waiting);
            }
            OfferRequirements fits = CloudOffers.requirements(job.requirements(), profile);
            List<String> types = fleets.availableOffers(project, c).stream()
                    .filter(o -> fits.matches(o.offer()) && inBackends(o, profile) && inZones(o, fits))
                    .map(o -> o.instance().name()).distinct().toList();
            if (types.isEmpty()) {
                continue;
            }
            CloudRequest base = madeBefore(fleet).orElseGet(() -> fleets.request(project, user, fleet.name(), c,
                    fleets.availableOffers(project, c)));
            CloudRequest request = new CloudRequest(base.requirements(), base.backends(), base.regions(), types,
                    base.availabilityZones(), user, base.tags(), base.placementGroup());
            return Optional.of(add(project, fleet, c, request));
        }
        return Optional.empty();
    }

    /**
     * Keeps {@code nodes.min}: a cloud fleet whose instances ended (the cloud took one back, it was terminated outside
     * dstack, it never came up) gets new pending instances until it has {@code min} again, as dstack's fleet
     * consolidation does; made for what its earlier instances were made for. Waits while {@link FleetBackoff} says
     * so. Returns whether it added any.
     */
    boolean refill(ProjectRow project) {
        boolean added = false;
        Instant now = clock.instant();
        for (FleetRow fleet : store.inReadOnlyTransaction(tx -> tx.fleets().listByProject(project.id()))) {
            if (!keepsMin(fleet) || !FleetBackoff.ready(fleet, now)) {
                continue;
            }
            FleetSpec spec = CloudFleets.read(fleet.spec(), FleetSpec.class);
            FleetNodes nodes = spec.configuration().nodes();
            List<InstanceRow> all = store.inReadOnlyTransaction(tx -> tx.instances().listByFleet(fleet.id()));
            long live = all.stream().filter(i -> InstanceStatus.fromWireValue(i.status()) != InstanceStatus.TERMINATED)
                    .count();
            Optional<CloudRequest> request = madeBefore(fleet);
            if (live >= nodes.min() || request.isEmpty()) {
                continue;
            }
            CloudRequest base = request.get(); // the fleet's own filters, not those of a job it grew for
            CloudRequest again = new CloudRequest(base.requirements(), base.backends(), base.regions(),
                    spec.configuration().instanceTypes(), base.availabilityZones(), base.user(), base.tags(),
                    base.placementGroup());
            // the ended ones are replaced now; they were kept until here for what they were made for
            store.useTransaction(tx -> all.stream()
                    .filter(i -> InstanceStatus.fromWireValue(i.status()) == InstanceStatus.TERMINATED)
                    .forEach(i -> tx.instances().updateIfNotLeased(i.toBuilder().deleted(true).deletedAt(now)
                            .lastProcessedAt(now).build(), now)));
            for (long i = live; i < nodes.min(); i++) {
                add(project, fleet, spec.configuration(), again);
            }
            added = true;
        }
        return added;
    }

    /** What the fleet's earlier instances were made for (with its placement group), if it had any. */
    private Optional<CloudRequest> madeBefore(FleetRow fleet) {
        return store.inReadOnlyTransaction(tx -> tx.instances().listByFleet(fleet.id())).stream()
                .filter(i -> i.requirements() != null).findFirst()
                .map(i -> CloudFleets.read(i.requirements(), CloudRequest.class));
    }

    private String add(ProjectRow project, FleetRow fleet, FleetConfiguration c, CloudRequest request) {
        Instant now = clock.instant();
        return store.inTransaction(tx -> {
            int num = nextFreeNumber(tx.instances().listByFleet(fleet.id()));
            InstanceRow created = InstanceRow.builder().id(UUID.randomUUID()).projectId(project.id())
                    .fleetId(fleet.id()).name(fleet.name() + "-" + num).instanceNum(num)
                    .status(InstanceStatus.PENDING.wireValue()).health("healthy").createdAt(now).lastProcessedAt(now)
                    .terminationPolicy(c.idleDuration() == null ? "dont-destroy" : "destroy-after-idle")
                    .terminationIdleTime(c.idleDuration() == null ? null : c.idleDuration().intValue())
                    .requirements(CloudFleets.write(request)).busyBlocks(0).build();
            tx.instances().insert(created);
            events.record(tx, "Instance created. Status: PENDING", null, EventLog.instance(created),
                    EventLog.fleet(fleet));
            return "Provisioning instance " + created.name() + " in fleet " + fleet.name();
        });
    }

    /** Whether the fleet keeps {@code nodes.min} instances (then its ended instances wait for {@link #refill}). */
    static boolean keepsMin(FleetRow fleet) {
        if (fleet.deleted() || !"active".equals(fleet.status())) {
            return false;
        }
        FleetSpec spec = CloudFleets.read(fleet.spec(), FleetSpec.class);
        return CloudFleets.isCloud(spec) && !spec.autocreated() && spec.configuration().nodes() != null
                && spec.configuration().nodes().min() > 0;
    }

    /** The smallest instance number no instance of the fleet has, as dstack numbers them. */
    private static int nextFreeNumber(List<InstanceRow> instances) {
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        instances.forEach(i -> taken.add(i.instanceNum()));
        int num = 0;
        while (taken.contains(num)) {
            num++;
        }
        return num;
    }

    private static boolean elastic(FleetNodes nodes) {
        return nodes != null && (nodes.max() == null || nodes.max() > nodes.min());
    }

    private static boolean ended(InstanceRow instance) {
        InstanceStatus status = InstanceStatus.fromWireValue(instance.status());
        return status == InstanceStatus.TERMINATING || status == InstanceStatus.TERMINATED;
    }

    /** Not yet usable: being created, started, or checked over SSH. */
    private static boolean beingMade(InstanceRow instance) {
        InstanceStatus status = InstanceStatus.fromWireValue(instance.status());
        return status == InstanceStatus.PENDING || status == InstanceStatus.PROVISIONING;
    }

    private static boolean inBackends(InstanceOfferWithAvailability offer, ProfileParams profile) {
        return profile == null || profile.backends() == null || profile.backends().isEmpty()
                || profile.backends().stream().anyMatch(b -> b.wireValue().equals(offer.backend()));
    }

    private static boolean inZones(InstanceOfferWithAvailability offer, OfferRequirements job) {
        return job.availabilityZones().isEmpty() || offer.availabilityZones() != null
                && offer.availabilityZones().stream().anyMatch(job.availabilityZones()::contains);
    }
}
