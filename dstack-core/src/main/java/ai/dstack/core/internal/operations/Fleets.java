package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.fleet.FleetStatus;
import ai.dstack.api.instance.HealthStatus;
import ai.dstack.api.instance.Instance;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.offer.InstanceOffer;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.core.internal.cloud.CloudFleets;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StoreTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * dstack's fleets and instances as its API shows them, and SSH fleets' planning, applying and deleting (the local
 * fleet is built in and cannot be changed through here).
 */
public final class Fleets {
    private final EngineContext context;
    private final SshFleets ssh;
    private final CloudFleets cloud;

    public Fleets(EngineContext context, SshFleets ssh, CloudFleets cloud) {
        this.context = context;
        this.ssh = ssh;
        this.cloud = cloud;
    }

    /** dstack's {@code fleets/get_plan} for an SSH fleet: the spec without private keys, the current fleet if any. */
    public FleetPlan plan(ProjectRow project, String userName, FleetSpec spec) {
        return isCloud(spec) ? cloud.plan(project, userName, spec) : ssh.plan(project, userName, spec);
    }

    /**
     * dstack's {@code fleets/apply}: creates the SSH fleet or updates it in place (hosts added to the file get
     * instances, hosts gone from it lose theirs). Instances start {@code pending} and become {@code idle} once their
     * host is checked. A cloud fleet's VMs are made by its project's cloud backends, tagged with {@code userName}.
     */
    public Fleet apply(ProjectRow project, String userName, FleetSpec spec) {
        if (isCloud(spec)) {
            String name = cloud.apply(project, userName, spec); // its VMs are tagged with who applied it
            return list(project).stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
        }
        return ssh.apply(project, spec);
    }

    /** A fleet without {@code ssh_config} is made by cloud backends; the local fleet's name stays the SSH path's to refuse. */
    private static boolean isCloud(FleetSpec spec) {
        return CloudFleets.isCloud(spec) && !LocalFleet.NAME.equals(spec.configuration().name());
    }

    /** dstack's {@code fleets/delete}: refused while a fleet's instance runs jobs. */
    public void delete(ProjectRow project, Collection<String> names) {
        List<String> clouds = names.stream().filter(n -> !LocalFleet.NAME.equals(n) && cloud.isCloudFleet(project, n))
                .toList();
        if (!clouds.isEmpty()) {
            cloud.delete(project, clouds);
        }
        List<String> others = names.stream().filter(n -> !clouds.contains(n)).toList();
        if (!others.isEmpty() || clouds.isEmpty()) {
            ssh.delete(project, others);
        }
    }

    /** dstack's {@code fleets/delete_instances}. */
    public void deleteInstances(ProjectRow project, String name, Collection<Integer> instanceNums) {
        ssh.deleteInstances(project, name, instanceNums);
    }

    /** The project's fleets that are not deleted, by name, each with its instances that are not deleted. */
    public List<Fleet> list(ProjectRow project) {
        return context.store.inReadOnlyTransaction(tx -> tx.fleets().listByProject(project.id()).stream()
                .filter(f -> !f.deleted())
                .sorted(Comparator.comparing(FleetRow::name))
                .map(f -> view(tx, f, project.name())).toList());
    }

    /**
     * dstack's {@code fleets/list} across projects.
     *
     * @param onlyActive leave out terminating and terminated fleets
     */
    public List<Fleet> list(Collection<ProjectRow> projects, boolean onlyActive, Instant prevCreatedAt, UUID prevId,
            int limit, boolean ascending) {
        return context.store.inReadOnlyTransaction(tx -> {
            List<FleetRow> rows = new ArrayList<>();
            for (ProjectRow project : projects) {
                for (FleetRow fleet : tx.fleets().listByProject(project.id())) {
                    if (!fleet.deleted() && (!onlyActive || isActive(fleet))) {
                        rows.add(fleet);
                    }
                }
            }
            List<FleetRow> page = Paging.page(rows, FleetRow::createdAt, FleetRow::id, prevCreatedAt, prevId, limit, ascending);
            List<Fleet> fleets = new ArrayList<>();
            for (FleetRow fleet : page) {
                String projectName = projects.stream().filter(p -> p.id().equals(fleet.projectId()))
                        .findFirst().map(ProjectRow::name).orElseThrow();
                fleets.add(view(tx, fleet, projectName));
            }
            return fleets;
        });
    }

    /** dstack's {@code fleets/get}: by name among fleets that are not deleted, or by id among all. */
    public Fleet get(ProjectRow project, String name, UUID id) {
        if (name == null && id == null) {
            throw new DstackException(ErrorCode.ERROR, "name or id must be specified");
        }
        return context.store.inReadOnlyTransaction(tx -> {
            FleetRow fleet = id != null
                    ? tx.fleets().find(id).filter(f -> f.projectId().equals(project.id())).orElse(null)
                    : tx.fleets().findByName(project.id(), name).filter(f -> !f.deleted()).orElse(null);
            if (fleet == null) {
                throw new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found");
            }
            return view(tx, fleet, project.name());
        });
    }

    /** dstack's {@code instances/list}: instances of the given projects, newest first. */
    public List<Instance> instances(Collection<ProjectRow> projects, Set<UUID> fleetIds, boolean onlyActive,
            Instant prevCreatedAt, UUID prevId, int limit, boolean ascending) {
        return context.store.inReadOnlyTransaction(tx -> {
            List<InstanceRow> rows = new ArrayList<>();
            for (ProjectRow project : projects) {
                for (InstanceRow instance : tx.instances().listByProject(project.id())) {
                    boolean inFleets = fleetIds == null || (instance.fleetId() != null && fleetIds.contains(instance.fleetId()));
                    boolean active = !InstanceStatus.fromWireValue(instance.status()).isFinished();
                    if (!instance.deleted() && inFleets && (!onlyActive || active)) {
                        rows.add(instance);
                    }
                }
            }
            List<Instance> instances = new ArrayList<>();
            for (InstanceRow row : Paging.page(rows, InstanceRow::createdAt, InstanceRow::id, prevCreatedAt, prevId, limit, ascending)) {
                String projectName = projects.stream().filter(p -> p.id().equals(row.projectId()))
                        .findFirst().map(ProjectRow::name).orElseThrow();
                String fleetName = row.fleetId() == null ? null
                        : tx.fleets().find(row.fleetId()).map(FleetRow::name).orElse(null);
                instances.add(instance(row, projectName, fleetName));
            }
            return instances;
        });
    }

    /** dstack's {@code instances/get}: an instance of the project by id, deleted ones included. */
    public Instance instance(ProjectRow project, UUID id) {
        return context.store.inReadOnlyTransaction(tx -> {
            InstanceRow row = tx.instances().find(id).filter(i -> i.projectId().equals(project.id()))
                    .orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Resource not found"));
            String fleetName = row.fleetId() == null ? null : tx.fleets().find(row.fleetId()).map(FleetRow::name).orElse(null);
            return instance(row, project.name(), fleetName);
        });
    }

    static boolean isActive(FleetRow fleet) {
        FleetStatus status = FleetStatus.fromWireValue(fleet.status());
        return status != FleetStatus.TERMINATING && status != FleetStatus.TERMINATED && status != FleetStatus.FAILED;
    }

    static Fleet view(StoreTransaction tx, FleetRow fleet, String projectName) {
        List<Instance> instances = tx.instances().listByFleet(fleet.id()).stream()
                .filter(i -> !i.deleted())
                .sorted(Comparator.comparingInt(InstanceRow::instanceNum))
                .map(i -> instance(i, projectName, fleet.name())).toList();
        return new Fleet(fleet.id(), fleet.name(), projectName, Json.read(fleet.spec(), FleetSpec.class),
                fleet.createdAt(), FleetStatus.fromWireValue(fleet.status()), fleet.statusMessage(), instances);
    }

    static Instance instance(InstanceRow row, String projectName, String fleetName) {
        InstanceOffer offer = Json.read(row.offer(), InstanceOffer.class);
        JobProvisioningData provisioning = Json.read(row.jobProvisioningData(), JobProvisioningData.class);
        return new Instance(row.id(), projectName, row.backend(), offer == null ? null : offer.instance(), row.name(),
                row.fleetId(), fleetName, row.instanceNum(), null,
                provisioning == null ? null : provisioning.hostname(), InstanceStatus.fromWireValue(row.status()),
                row.unreachable(), HealthStatus.fromWireValue(row.health()), row.terminationReason(),
                row.terminationReasonMessage(), row.createdAt(), row.finishedAt(), row.region(),
                provisioning == null ? null : provisioning.availabilityZone(), row.price(), row.totalBlocks(),
                row.busyBlocks(), provisioning == null ? null : provisioning.gpuDriver());
    }
}
