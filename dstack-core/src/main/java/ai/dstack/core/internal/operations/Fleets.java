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
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserRow;
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
    private final Projects projects;

    public Fleets(EngineContext context, SshFleets ssh, Projects projects) {
        this.context = context;
        this.ssh = ssh;
        this.projects = projects;
    }

    /** dstack's {@code fleets/get_plan} for an SSH fleet: the spec without private keys, the current fleet if any. */
    public FleetPlan plan(ProjectRow project, UserRow caller, FleetSpec spec) {
        checkKeySources(caller, spec);
        return ssh.plan(project, caller.name(), spec);
    }

    /**
     * Who may add and remove SSH fleets (dstack's {@code can_manage_ssh_fleets}): admins, and other members only
     * when config.yml's {@code default_permissions.allow_non_admins_manage_ssh_fleets} is on (its default).
     */
    private void checkManage(ProjectRow project, UserRow caller) {
        if (!projects.canManageSshFleets(project, caller)) {
            throw new DstackException(ErrorCode.FORBIDDEN, "Access denied: only project admins can manage SSH fleets"
                    + " here (default_permissions.allow_non_admins_manage_ssh_fleets is off)");
        }
    }

    /**
     * An {@code identity_file} without the key's contents makes the server read a file of its own machine (its own
     * keys, or probes of what exists): over the API only a global admin may ask for that. dstack's CLI sends the
     * key's contents as {@code ssh_key}, which is always accepted.
     */
    private static void checkKeySources(UserRow caller, FleetSpec spec) {
        if (Users.isAdmin(caller) || spec.configuration() == null || spec.configuration().sshConfig() == null) {
            return;
        }
        ai.dstack.api.configuration.SshParams ssh = spec.configuration().sshConfig();
        List<String> paths = new java.util.ArrayList<>();
        readsFile(ssh.identityFile(), ssh.sshKey(), "ssh_config.identity_file", paths);
        if (ssh.proxyJump() != null) {
            readsFile(ssh.proxyJump().identityFile(), ssh.proxyJump().sshKey(), "ssh_config.proxy_jump.identity_file",
                    paths);
        }
        for (int i = 0; i < ssh.hosts().size(); i++) {
            ai.dstack.api.configuration.SshHost host = ssh.hosts().get(i);
            boolean own = host.identityFile() != null || host.sshKey() != null;
            if (own) {
                readsFile(host.identityFile(), host.sshKey(), "ssh_config.hosts[" + i + "].identity_file", paths);
            }
            if (host.proxyJump() != null) {
                readsFile(host.proxyJump().identityFile(), host.proxyJump().sshKey(),
                        "ssh_config.hosts[" + i + "].proxy_jump.identity_file", paths);
            }
        }
        if (!paths.isEmpty()) {
            throw new DstackException(ErrorCode.FORBIDDEN, String.join(", ", paths) + ": a key file on the server's"
                    + " machine may be named only by a global admin; send the key's contents as ssh_key (dstack apply"
                    + " does)");
        }
    }

    private static void readsFile(String identityFile, ai.dstack.api.configuration.SshKey key, String field,
            List<String> out) {
        if (identityFile != null && (key == null || key.privateKey() == null)) {
            out.add(field);
        }
    }

    /**
     * dstack's {@code fleets/apply}: creates the SSH fleet or updates it in place (hosts added to the file get
     * instances, hosts gone from it lose theirs). Instances start {@code pending} and become {@code idle} once their
     * host is checked.
     */
    public Fleet apply(ProjectRow project, UserRow caller, FleetSpec spec) {
        checkManage(project, caller);
        checkKeySources(caller, spec);
        return ssh.apply(project, spec);
    }

    /** dstack's {@code fleets/delete}: refused while a fleet's instance runs jobs. */
    public void delete(ProjectRow project, UserRow caller, Collection<String> names) {
        checkManage(project, caller);
        ssh.delete(project, names);
    }

    /** dstack's {@code fleets/delete_instances}. */
    public void deleteInstances(ProjectRow project, UserRow caller, String name, Collection<Integer> instanceNums) {
        checkManage(project, caller);
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
