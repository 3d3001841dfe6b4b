package ai.dstack.core.internal.operations;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.SshHost;
import ai.dstack.api.configuration.SshKey;
import ai.dstack.api.configuration.SshParams;
import ai.dstack.api.configuration.SshProxy;
import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.instance.InstanceTerminationReason;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.pipeline.InstanceProvisioner;
import ai.dstack.core.internal.placement.HostRouter;
import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.core.internal.placement.RemoteConnectionInfo;
import ai.dstack.core.internal.placement.SshFleetHosts;
import ai.dstack.core.internal.placement.SshInstanceConfig;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.StoreTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Creating, changing and deleting SSH fleets (dstack's {@code fleets/get_plan}, {@code apply}, {@code delete},
 * {@code delete_instances}). Applying writes the fleet and one {@code pending} instance per host; the
 * {@link InstanceProvisioner} then connects to each, checks it and makes it {@code idle}. Deleting leaves the hosts
 * as they were, except for the engine's own files, which are removed in the background.
 */
public final class SshFleets {
    private final EngineContext context;
    private final HostRouter router;
    private final InstanceProvisioner provisioner;

    public SshFleets(EngineContext context, HostRouter router, InstanceProvisioner provisioner) {
        this.context = context;
        this.router = router;
        this.provisioner = provisioner;
    }

    FleetPlan plan(ProjectRow project, String user, FleetSpec spec) {
        FleetConfiguration configuration = validate(spec);
        Fleet current = configuration.name() == null ? null : current(project, configuration.name());
        checkHostsFree(project, SshFleetHosts.of(configuration), current == null ? null : current.id());
        FleetSpec shown = withoutPrivateKeys(spec);
        return new FleetPlan(project.name(), user, shown, shown, current, List.of(), 0, null,
                current == null ? ApplyAction.CREATE : ApplyAction.UPDATE);
    }

    Fleet apply(ProjectRow project, FleetSpec spec) {
        FleetConfiguration configuration = validate(spec);
        List<SshFleetHosts.Entry> hosts = SshFleetHosts.of(configuration);
        String name = configuration.name() != null ? configuration.name()
                : "fleet-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = context.clock.instant();
        String storedSpec = Json.write(withoutPrivateKeys(withName(spec, name)));
        List<InstanceRow> removed = new ArrayList<>();
        UUID fleetId = context.store.inTransaction(tx -> {
            FleetRow fleet = tx.fleets().findByName(project.id(), name).orElse(null);
            checkHostsFree(tx, project, hosts, fleet == null ? null : fleet.id());
            if (fleet == null) {
                fleet = FleetRow.builder().id(UUID.randomUUID()).projectId(project.id()).name(name)
                        .status("active").spec(storedSpec).createdAt(now).lastProcessedAt(now).build();
                tx.fleets().insert(fleet);
                context.events.record(tx, "Fleet created. Status: ACTIVE", null,
                        ai.dstack.core.internal.context.EventLog.fleet(fleet));
            } else {
                fleet = fleet.toBuilder().spec(storedSpec).lastProcessedAt(now).build();
                if (!tx.fleets().updateIfNotLeased(fleet, now)) {
                    throw new DstackException(ErrorCode.ERROR, "Fleet " + name + " is being processed; try again");
                }
            }
            reconcile(tx, project, fleet, hosts, now, removed);
            return fleet.id();
        });
        router.remoteInstanceAdded();
        provisioner.cleanUp(removed);
        provisioner.wake();
        return context.store.inReadOnlyTransaction(tx -> Fleets.view(tx, tx.fleets().find(fleetId).orElseThrow(),
                project.name()));
    }

    /** New hosts get instances, hosts gone from the file lose theirs, changed hosts are checked again. */
    private void reconcile(StoreTransaction tx, ProjectRow project, FleetRow fleet, List<SshFleetHosts.Entry> hosts,
            Instant now, List<InstanceRow> removed) {
        Map<String, InstanceRow> existing = new LinkedHashMap<>();
        int nextNum = 0;
        for (InstanceRow instance : tx.instances().listByFleet(fleet.id())) {
            nextNum = Math.max(nextNum, instance.instanceNum() + 1);
            if (!instance.deleted() && instance.remoteConnectionInfo() != null) {
                RemoteConnectionInfo info = Json.read(instance.remoteConnectionInfo(), RemoteConnectionInfo.class);
                existing.put(info.host() + ":" + info.port(), instance);
            }
        }
        for (SshFleetHosts.Entry host : hosts) {
            InstanceRow instance = existing.remove(host.key());
            String info = Json.write(RemoteConnectionInfo.of(host.address()));
            Integer blocks = host.blocks().count();
            SshInstanceConfig config = new SshInstanceConfig(blocks, host.internalIp(), host.network());
            if (instance == null) {
                InstanceRow created = InstanceRow.builder().id(UUID.randomUUID()).projectId(project.id())
                        .fleetId(fleet.id()).name(fleet.name() + "-" + nextNum).instanceNum(nextNum)
                        .status(InstanceStatus.PENDING.wireValue()).health("healthy").createdAt(now)
                        .lastProcessedAt(now).backend(LocalFleet.BACKEND).region(LocalFleet.BACKEND).price(0.0)
                        .remoteConnectionInfo(info).instanceConfiguration(Json.write(config))
                        .terminationPolicy("dont-destroy").totalBlocks(blocks)
                        .busyBlocks(0).build();
                tx.instances().insert(created);
                context.events.record(tx, "Instance created. Status: PENDING", null,
                        ai.dstack.core.internal.context.EventLog.instance(created),
                        ai.dstack.core.internal.context.EventLog.fleet(fleet));
                nextNum++;
            } else if (!info.equals(instance.remoteConnectionInfo())
                    || !config.equals(requested(instance))) {
                if (instance.busyBlocks() > 0) {
                    throw new DstackException(ErrorCode.INVALID_REQUEST, "Cannot change host " + host.key()
                            + " of fleet " + fleet.name() + " while it runs jobs; stop them first");
                }
                update(tx, instance.toBuilder().remoteConnectionInfo(info).totalBlocks(blocks)
                        .instanceConfiguration(Json.write(config))
                        .status(InstanceStatus.PENDING.wireValue()).offer(null).jobProvisioningData(null)
                        .terminationReasonMessage(null).lastProcessedAt(now).build(), now);
            }
        }
        for (InstanceRow gone : existing.values()) {
            terminate(tx, fleet, gone, now, "Cannot remove host " + hostOf(gone) + " from fleet " + fleet.name());
            removed.add(gone);
        }
    }

    /**
     * What the fleet file asked of the host when it was added (blocks null for auto: {@code total_blocks} is resolved on
     * a probed host).
     */
    private static SshInstanceConfig requested(InstanceRow instance) {
        SshInstanceConfig config = Json.read(instance.instanceConfiguration(), SshInstanceConfig.class);
        return config == null ? new SshInstanceConfig(instance.totalBlocks()) : config;
    }

    Fleet current(ProjectRow project, String name) {
        return context.store.inReadOnlyTransaction(tx -> tx.fleets().findByName(project.id(), name)
                .map(f -> Fleets.view(tx, f, project.name())).orElse(null));
    }

    void delete(ProjectRow project, Collection<String> names) {
        Instant now = context.clock.instant();
        List<InstanceRow> removed = new ArrayList<>();
        context.store.useTransaction(tx -> {
            for (String name : names) {
                FleetRow fleet = fleet(tx, project, name);
                for (InstanceRow instance : tx.instances().listByFleet(fleet.id())) {
                    if (!instance.deleted()) {
                        terminate(tx, fleet, instance, now, "Failed to delete fleet " + name + ". Fleet is in use.");
                        instanceTerminated(tx, instance);
                        removed.add(instance);
                    }
                }
                FleetRow deleted = fleet.toBuilder().status("terminated").deleted(true).deletedAt(now)
                        .lastProcessedAt(now).build();
                if (!tx.fleets().updateIfNotLeased(deleted, now)) {
                    throw new DstackException(ErrorCode.ERROR, "Failed to delete fleets: fleets are being processed"
                            + " currently. Try again later.");
                }
                context.events.record(tx, "Fleet deleted", null, ai.dstack.core.internal.context.EventLog.fleet(fleet));
            }
        });
        provisioner.cleanUp(removed);
    }

    void deleteInstances(ProjectRow project, String name, Collection<Integer> instanceNums) {
        Instant now = context.clock.instant();
        List<InstanceRow> removed = new ArrayList<>();
        context.store.useTransaction(tx -> {
            FleetRow fleet = fleet(tx, project, name);
            for (InstanceRow instance : tx.instances().listByFleet(fleet.id())) {
                if (!instance.deleted() && instanceNums.contains(instance.instanceNum())) {
                    terminate(tx, fleet, instance, now, "Failed to delete fleet " + name + " instances "
                            + instanceNums + ". Fleet instances are in use.");
                    instanceTerminated(tx, instance);
                    removed.add(instance);
                }
            }
        });
        provisioner.cleanUp(removed);
    }

    private void instanceTerminated(StoreTransaction tx, InstanceRow instance) {
        context.events.record(tx, "Instance status changed " + instance.status().toUpperCase(java.util.Locale.ROOT)
                + " -> TERMINATED. Termination reason: TERMINATED_BY_USER", null,
                ai.dstack.core.internal.context.EventLog.instance(instance));
    }

    private FleetRow fleet(StoreTransaction tx, ProjectRow project, String name) {
        if (LocalFleet.NAME.equals(name)) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Fleet " + LocalFleet.NAME + " is the server's own"
                    + " host and cannot be deleted (start the server with DSTACK_SERVER_LOCAL_FLEET=false to turn it off)");
        }
        return tx.fleets().findByName(project.id(), name).orElseThrow(() -> new DstackException(
                ErrorCode.RESOURCE_NOT_EXISTS, "Fleet " + name + " not found"));
    }

    private static void terminate(StoreTransaction tx, FleetRow fleet, InstanceRow instance, Instant now, String inUse) {
        if (instance.busyBlocks() > 0) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, inUse);
        }
        update(tx, instance.toBuilder().status(InstanceStatus.TERMINATED.wireValue()).deleted(true).deletedAt(now)
                .finishedAt(now).terminationReason(InstanceTerminationReason.TERMINATED_BY_USER.wireValue())
                .lastProcessedAt(now).build(), now);
    }

    private static void update(StoreTransaction tx, InstanceRow instance, Instant now) {
        if (!tx.instances().updateIfNotLeased(instance, now)) {
            throw new DstackException(ErrorCode.ERROR, "Instance " + instance.name() + " is being processed currently."
                    + " Try again later.");
        }
    }

    private static String hostOf(InstanceRow instance) {
        RemoteConnectionInfo info = Json.read(instance.remoteConnectionInfo(), RemoteConnectionInfo.class);
        return info == null ? instance.name() : info.host() + ":" + info.port();
    }

    private FleetConfiguration validate(FleetSpec spec) {
        if (spec == null || spec.configuration() == null) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "The fleet spec has no configuration");
        }
        FleetConfiguration configuration = spec.configuration();
        if (LocalFleet.NAME.equals(configuration.name())) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Fleet name " + LocalFleet.NAME
                    + " is taken by the server's own host; choose another name");
        }
        SshFleetHosts.of(configuration); // names the first problem: no hosts, no user, no key
        if (!router.remotes().available()) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "SSH fleets need ai.dstack:dstack-backend-ssh on the"
                    + " server's class path; this server has no SSH transport");
        }
        return configuration;
    }

    private void checkHostsFree(ProjectRow project, List<SshFleetHosts.Entry> hosts, UUID ownFleet) {
        context.store.inReadOnlyTransaction(tx -> {
            checkHostsFree(tx, project, hosts, ownFleet);
            return null;
        });
    }

    /** A host belongs to one fleet, as in dstack. */
    private static void checkHostsFree(StoreTransaction tx, ProjectRow project, List<SshFleetHosts.Entry> hosts,
            UUID ownFleet) {
        List<String> taken = new ArrayList<>();
        for (InstanceRow instance : tx.instances().listByProject(project.id())) {
            if (instance.deleted() || instance.remoteConnectionInfo() == null
                    || Objects.equals(instance.fleetId(), ownFleet)) {
                continue;
            }
            RemoteConnectionInfo info = Json.read(instance.remoteConnectionInfo(), RemoteConnectionInfo.class);
            for (SshFleetHosts.Entry host : hosts) {
                if (host.key().equals(info.host() + ":" + info.port())) {
                    taken.add(host.address().hostname());
                }
            }
        }
        if (!taken.isEmpty()) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "Instances [" + String.join(", ", taken)
                    + "] are already assigned to a fleet.");
        }
    }

    private static FleetSpec withName(FleetSpec spec, String name) {
        FleetConfiguration c = spec.configuration();
        if (name.equals(c.name())) {
            return spec;
        }
        return new FleetSpec(new FleetConfiguration(name, c.placement(), c.blocks(), c.nodes(), c.reservation(),
                c.resources(), c.backends(), c.regions(), c.availabilityZones(), c.instanceTypes(), c.spotPolicy(),
                c.retry(), c.maxPrice(), c.idleDuration(), c.tags(), c.backendOptions(), c.sshConfig(), c.env()),
                spec.configurationPath(), spec.profile(), spec.autocreated());
    }

    /** The spec as it may be shown and stored: private keys are only kept with the instances. */
    static FleetSpec withoutPrivateKeys(FleetSpec spec) {
        FleetConfiguration c = spec.configuration();
        SshParams ssh = c.sshConfig();
        if (ssh == null) {
            return spec;
        }
        List<SshHost> hosts = ssh.hosts().stream().map(h -> h.bare() ? h : new SshHost(h.hostname(), h.port(),
                h.user(), h.identityFile(), publicOnly(h.proxyJump()), h.internalIp(), publicOnly(h.sshKey()),
                h.blocks(), false)).toList();
        SshParams stripped = new SshParams(ssh.user(), ssh.port(), ssh.identityFile(), publicOnly(ssh.sshKey()),
                publicOnly(ssh.proxyJump()), hosts, ssh.network());
        return new FleetSpec(new FleetConfiguration(c.name(), c.placement(), c.blocks(), c.nodes(), c.reservation(),
                c.resources(), c.backends(), c.regions(), c.availabilityZones(), c.instanceTypes(), c.spotPolicy(),
                c.retry(), c.maxPrice(), c.idleDuration(), c.tags(), c.backendOptions(), stripped, c.env()),
                spec.configurationPath(), spec.profile(), spec.autocreated());
    }

    private static SshKey publicOnly(SshKey key) {
        return key == null ? null : new SshKey(key.publicKey(), null);
    }

    private static SshProxy publicOnly(SshProxy proxy) {
        return proxy == null ? null : new SshProxy(proxy.hostname(), proxy.port(), proxy.user(), proxy.identityFile(),
                publicOnly(proxy.sshKey()));
    }
}
