package ai.dstack.core.internal.cloud;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.FleetPlacement;
import ai.dstack.api.configuration.SpotPolicy;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.Requirements;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.PlacementGroupData;
import ai.dstack.spi.backend.PlacementGroupRequest;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.ProjectRow;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Cloud fleets: {@code type: fleet} without {@code ssh_config}. Applying one makes {@code nodes} instances through the
 * project's cloud backends (made by {@link CloudProvisioning}, like a run's), in a cluster placement group for
 * {@code placement: cluster}; runs then use its idle instances as any fleet's. An instance idle for longer than
 * {@code idle_duration} is terminated, unless the fleet would go below {@code nodes.min}; a fleet below it gets new
 * instances ({@link FleetGrowth#refill}, waiting as {@link FleetBackoff} says after failures). Deleting the fleet
 * terminates its instances, then its placement group.
 *
 * {@code availability_zones} and {@code reservation} narrow the offers as for runs ({@link CloudOffers}).
 *
 * <p>Fields with no effect here are refused by name: {@code backend_options},
 * {@code blocks}, {@code retry}, {@code env}.
 */
public final class CloudFleets {
    private final ai.dstack.spi.storage.StateStore store;
    private final Clock clock;
    private final CloudProvisioning provisioning;

    public CloudFleets(ai.dstack.spi.storage.StateStore store, Clock clock, CloudProvisioning provisioning) {
        this.store = store;
        this.clock = clock;
        this.provisioning = provisioning;
    }

    /** Whether {@code spec} is a cloud fleet (no {@code ssh_config}). */
    public static boolean isCloud(FleetSpec spec) {
        return spec.configuration() != null && spec.configuration().sshConfig() == null;
    }

    public FleetPlan plan(ProjectRow project, String user, FleetSpec spec) {
        FleetConfiguration c = validate(project, spec);
        List<InstanceOfferWithAvailability> offers = offers(project, c);
        return new FleetPlan(project.name(), user, spec, spec, null, offers, offers.size(),
                offers.stream().map(InstanceOfferWithAvailability::price).max(Double::compare).orElse(null),
                ApplyAction.CREATE);
    }

    /** Creates the fleet and its {@code nodes} pending instances; the instances are made in the background. */
    public String apply(ProjectRow project, String user, FleetSpec spec) {
        FleetConfiguration c = validate(project, spec);
        String name = c.name() != null ? c.name() : "fleet-" + UUID.randomUUID().toString().substring(0, 8);
        if (store.inReadOnlyTransaction(tx -> tx.fleets().findByName(project.id(), name)).filter(f -> !f.deleted())
                .isPresent()) {
            throw new DstackException(ErrorCode.RESOURCE_EXISTS, "Fleet " + name + " already exists; delete it "
                    + "first (updating a cloud fleet in place is not supported yet)");
        }
        List<InstanceOfferWithAvailability> offers = availableOffers(project, c);
        if (offers.isEmpty()) {
            throw new DstackException(ErrorCode.ERROR, "No offers in the project's backends match fleet " + name);
        }
        CloudRequest request = request(project, user, name, c, offers);
        String requestJson = write(request);
        Instant now = clock.instant();
        int nodes = c.nodes() == null ? 1 : c.nodes().target();
        FleetSpec stored = new FleetSpec(withName(c, name), spec.configurationPath(), spec.profile(), false);
        store.useTransaction(tx -> {
            FleetRow fleet = FleetRow.builder().id(UUID.randomUUID()).projectId(project.id()).name(name)
                    .status("active").spec(write(stored)).createdAt(now).lastProcessedAt(now).build();
            tx.fleets().insert(fleet);
            for (int i = 0; i < nodes; i++) {
                tx.instances().insert(InstanceRow.builder().id(UUID.randomUUID()).projectId(project.id())
                        .fleetId(fleet.id()).name(name + "-" + i).instanceNum(i)
                        .status(InstanceStatus.PENDING.wireValue()).health("healthy").createdAt(now)
                        .lastProcessedAt(now).terminationPolicy(c.idleDuration() == null ? "dont-destroy"
                                : "destroy-after-idle")
                        .terminationIdleTime(c.idleDuration() == null ? null : c.idleDuration().intValue())
                        .requirements(requestJson).busyBlocks(0).build());
            }
        });
        provisioning.wake();
        return name;
    }

    /**
     * What the fleet's instances are made for: its filters and resources, made by {@code user}, and for
     * {@code placement: cluster} a placement group of the cheapest offer's backend in that offer's region (dstack
     * places a cluster in one region).
     */
    CloudRequest request(ProjectRow project, String user, String name, FleetConfiguration c,
            List<InstanceOfferWithAvailability> offers) {
        List<String> regions = c.regions();
        PlacementGroupData group = null;
        if (c.placement() == FleetPlacement.CLUSTER) {
            InstanceOfferWithAvailability first = offers.get(0);
            Backend backend = provisioning.backends(project).stream().filter(b -> b.type().equals(first.backend()))
                    .findFirst().orElseThrow();
            group = backend.placementGroups().orElseThrow(() -> new DstackException(ErrorCode.INVALID_REQUEST,
                    "placement: cluster needs a backend with placement groups; " + backend.type() + " has none"))
                    .create(new PlacementGroupRequest(project.name(), name + "-pg", first.region()));
            regions = List.of(first.region());
        }
        return new CloudRequest(requirements(c), backendTypes(c), regions, c.instanceTypes(), c.availabilityZones(),
                user, c.tags() == null ? Map.of() : c.tags(), group);
    }

    /** The fleet's offers now, available ones only, cheapest first. */
    List<InstanceOfferWithAvailability> availableOffers(ProjectRow project, FleetConfiguration c) {
        return offers(project, c).stream().filter(o -> o.availability().isAvailable()).toList();
    }

    /** Deletes cloud fleets: refused while an instance runs a job; the instances are terminated in the background. */
    public void delete(ProjectRow project, Collection<String> names) {
        Instant now = clock.instant();
        store.useTransaction(tx -> {
            for (String name : names) {
                FleetRow fleet = tx.fleets().findByName(project.id(), name).filter(f -> !f.deleted())
                        .orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS,
                                "Fleet " + name + " not found"));
                List<InstanceRow> instances = tx.instances().listByFleet(fleet.id());
                if (instances.stream().anyMatch(i -> i.busyBlocks() > 0)) {
                    throw new DstackException(ErrorCode.ERROR, "Fleet " + name + " has instances running jobs");
                }
                tx.fleets().updateIfNotLeased(fleet.toBuilder().status("terminating").lastProcessedAt(now).build(),
                        now);
                for (InstanceRow instance : instances) {
                    InstanceStatus status = InstanceStatus.fromWireValue(instance.status());
                    if (status != InstanceStatus.TERMINATED) {
                        tx.instances().updateIfNotLeased(instance.toBuilder()
                                .status(InstanceStatus.TERMINATING.wireValue())
                                .terminationReason("terminated_by_user").lastProcessedAt(now).build(), now);
                    }
                }
            }
        });
        provisioning.wake();
    }

    /** Whether the named fleet is a cloud fleet of this project. */
    public boolean isCloudFleet(ProjectRow project, String name) {
        return store.inReadOnlyTransaction(tx -> tx.fleets().findByName(project.id(), name))
                .filter(f -> !f.deleted()).map(f -> read(f.spec(), FleetSpec.class)).map(CloudFleets::isCloud)
                .orElse(false);
    }

    private List<InstanceOfferWithAvailability> offers(ProjectRow project, FleetConfiguration c) {
        return CloudOffers.offers(provisioning.backends(project), requirements(c), backendTypes(c), c.regions(),
                c.instanceTypes(), c.availabilityZones());
    }

    private FleetConfiguration validate(ProjectRow project, FleetSpec spec) {
        FleetConfiguration c = spec.configuration();
        List<String> refused = new ArrayList<>();
        if (c.backendOptions() != null && !c.backendOptions().isEmpty()) {
            refused.add("backend_options");
        }
        if (c.blocks() != null && !c.blocks().equals(ai.dstack.api.configuration.Blocks.ONE)) {
            refused.add("blocks");
        }
        if (c.retry() != null) {
            refused.add("retry");
        }
        if (c.env() != null && !c.env().variables().isEmpty()) {
            refused.add("env");
        }
        if (!refused.isEmpty()) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Cloud fleets do not support "
                    + String.join(", ", refused) + " yet");
        }
        if (provisioning.backends(project).isEmpty()) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "A fleet without ssh_config needs a cloud backend, "
                    + "and project " + project.name() + " has none: cloud fleets are not supported without one (add one"
                    + " to config.yml or through the backends API)");
        }
        return c;
    }

    private static Requirements requirements(FleetConfiguration c) {
        ResourcesSpec resources = c.resources() == null ? ResourcesSpec.DEFAULT : c.resources();
        SpotPolicy policy = c.spotPolicy() == null ? SpotPolicy.ON_DEMAND : c.spotPolicy();
        Boolean spot = policy == SpotPolicy.AUTO ? null : policy == SpotPolicy.SPOT;
        return new Requirements(resources, c.maxPrice(), spot, c.reservation(), null, null);
    }

    private static List<String> backendTypes(FleetConfiguration c) {
        return c.backends() == null ? null : c.backends().stream().map(BackendType::wireValue).toList();
    }

    private static FleetConfiguration withName(FleetConfiguration c, String name) {
        return new FleetConfiguration(name, c.placement(), c.blocks(), c.nodes(), c.reservation(), c.resources(),
                c.backends(), c.regions(), c.availabilityZones(), c.instanceTypes(), c.spotPolicy(), c.retry(),
                c.maxPrice(), c.idleDuration(), c.tags(), c.backendOptions(), c.sshConfig(), c.env());
    }

    static String write(Object value) {
        try {
            return DstackJson.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T read(String json, Class<T> type) {
        try {
            return DstackJson.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
