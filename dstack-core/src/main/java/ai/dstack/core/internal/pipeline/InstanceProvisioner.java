package ai.dstack.core.internal.pipeline;

import ai.dstack.core.internal.context.DaemonThreads;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.run.JobProvisioningData;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.placement.HostRouter;
import ai.dstack.core.internal.placement.HostShape;
import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.core.internal.placement.RemoteConnectionInfo;
import ai.dstack.core.internal.placement.RemoteHosts;
import ai.dstack.core.internal.placement.NetworkAddresses;
import ai.dstack.core.internal.placement.SshInstanceConfig;
import ai.dstack.spi.host.HostResources;
import ai.dstack.spi.host.RemoteHost;
import ai.dstack.spi.host.RemoteHostAddress;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.ProjectRow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings SSH fleets' hosts up and keeps their state honest. A {@code pending} instance is connected to, checked and
 * measured ({@link RemoteHost#probe()}); it becomes {@code idle} with its resources split into blocks, or stays
 * {@code pending} with the problem in words on the instance (cannot connect, authentication failed, no bash, disk
 * full) and is tried again with backoff (up to a minute), so fixing the host is enough. Instances that are up are
 * marked {@code unreachable} while their host has been out of reach for longer than the connector's grace period.
 */
public final class InstanceProvisioner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceProvisioner.class);
    private static final Duration MAX_RETRY = Duration.ofMinutes(1);

    private final EngineContext context;
    private final RemoteHosts remotes;
    private final HostRouter router;
    private final WorkLoop loop;
    private final ExecutorService probes = DaemonThreads.pool(2, "dstack-ssh-probes");
    /** Instances being probed now, and when a failed one may be tried again. */
    private final Map<UUID, Instant> busy = new ConcurrentHashMap<>();
    private final Map<UUID, Retry> retries = new ConcurrentHashMap<>();

    private record Retry(int failures, Instant next) {}

    public InstanceProvisioner(EngineContext context, HostRouter router, Duration sweep) {
        this.context = context;
        this.remotes = router.remotes();
        this.router = router;
        this.loop = new WorkLoop("instances", sweep, () -> {
            pass();
            return false;
        });
    }

    public void start() {
        loop.start();
    }

    public void wake() {
        loop.wake();
    }

    private void pass() {
        if (!router.anyRemote()) {
            return; // no SSH fleet was ever applied: nothing to read
        }
        Instant now = context.clock.instant();
        List<ProjectRow> projects = context.store.inReadOnlyTransaction(tx -> tx.projects().list());
        for (ProjectRow project : projects) {
            for (InstanceRow instance : context.store.inReadOnlyTransaction(tx -> tx.instances().listByProject(project.id()))) {
                if (instance.deleted() || instance.remoteConnectionInfo() == null) {
                    continue;
                }
                InstanceStatus status = InstanceStatus.fromWireValue(instance.status());
                if (status == InstanceStatus.PENDING) {
                    Retry retry = retries.get(instance.id());
                    if ((retry == null || !now.isBefore(retry.next())) && busy.putIfAbsent(instance.id(), now) == null) {
                        probes.execute(() -> provision(instance));
                    }
                } else if (status == InstanceStatus.IDLE || status == InstanceStatus.BUSY) {
                    markReachability(instance, now);
                }
            }
        }
    }

    /**
     * The address the other nodes of a multi-node run reach the host at: its {@code internal_ip}, else its address in
     * {@code ssh_config.network} (asked of the host), else the address it is reached at over SSH.
     */
    private String internalIp(RemoteHostAddress address, SshInstanceConfig config) {
        if (config != null && config.internalIp() != null) {
            return config.internalIp();
        }
        if (config != null && config.network() != null) {
            String listed = remotes.host(address).runScript(NetworkAddresses.LIST_SCRIPT, java.time.Duration.ofSeconds(30));
            return NetworkAddresses.inNetwork(config.network(), listed).orElseThrow(() -> new IllegalStateException(
                    "Host " + address.display() + " has no address in network " + config.network()
                            + " (ssh_config.network); it has: " + String.join(" ", listed.strip().split("\\s+"))));
        }
        return address.hostname();
    }

    private void provision(InstanceRow pending) {
        try {
            RemoteHostAddress address = addressOf(pending);
            HostResources resources;
            try {
                resources = remotes.host(address).probe();
            } catch (RuntimeException e) {
                failed(pending, e.getMessage() == null ? e.toString() : e.getMessage());
                return;
            }
            retries.remove(pending.id());
            SshInstanceConfig config = Json.read(pending.instanceConfiguration(), SshInstanceConfig.class);
            Integer requested = config == null ? pending.totalBlocks() : config.blocks();
            int blocks = requested != null ? requested
                    : resources.gpuCount() > 0 ? resources.gpuCount() : resources.cpus(); // auto: as many as possible
            HostShape shape = new HostShape(resources, blocks);
            Instant now = context.clock.instant();
            var type = shape.instanceType("ssh");
            // dockerized: the host has a container runtime whose engine answers, so jobs with an image can run there.
            boolean containers = remotes.host(address).executor().containerRuntime().isPresent();
            String internalIp;
            try {
                internalIp = internalIp(address, config);
            } catch (RuntimeException e) {
                failed(pending, e.getMessage() == null ? e.toString() : e.getMessage());
                return;
            }
            JobProvisioningData provisioning = new JobProvisioningData(LocalFleet.BACKEND, null, type,
                    pending.name(), address.hostname(), internalIp, false, null, LocalFleet.BACKEND, null,
                    null, 0.0, address.user(), address.port(), containers, null, null, null);
            String offer = Json.write(new ai.dstack.api.offer.InstanceOffer(LocalFleet.BACKEND, type,
                    LocalFleet.BACKEND, 0.0, null));
            // A cloud backend's instance keeps its offer and provisioning data (backend, type, price): the probe only
            // proves that it answers over SSH.
            boolean cloudInstance = pending.backend() != null && !LocalFleet.BACKEND.equals(pending.backend())
                    && pending.offer() != null && pending.jobProvisioningData() != null;
            String finalOffer = cloudInstance ? pending.offer() : offer;
            String finalProvisioning = cloudInstance ? pending.jobProvisioningData() : Json.write(provisioning);
            int finalBlocks = cloudInstance ? 1 : blocks;
            boolean written = context.store.inTransaction(tx -> {
                Optional<InstanceRow> current = tx.instances().find(pending.id());
                if (current.isEmpty() || current.get().deleted()
                        || !pending.remoteConnectionInfo().equals(current.get().remoteConnectionInfo())
                        || InstanceStatus.fromWireValue(current.get().status()) != InstanceStatus.PENDING) {
                    // Deleted or changed meanwhile, or up already: a pass that listed the instance while it was
                    // pending may probe it again after the first probe's write. The next pass sees the new state.
                    return false;
                }
                return tx.instances().updateIfNotLeased(current.get().toBuilder()
                        .status(InstanceStatus.IDLE.wireValue()).offer(finalOffer)
                        .jobProvisioningData(finalProvisioning).totalBlocks(finalBlocks).busyBlocks(0)
                        .startedAt(now).lastProcessedAt(now).unreachable(false).health("healthy")
                        .terminationReasonMessage(null).build(), now);
            });
            if (written) {
                LOG.info("Instance {} ({}) is up: {} CPUs, {} MiB memory, {} GPUs, {} blocks", pending.name(),
                        address.display(), resources.cpus(), resources.memoryMib(), resources.gpuCount(), blocks);
                context.capacityFreed(); // jobs waiting for capacity may fit here
            }
        } catch (RuntimeException e) {
            LOG.warn("Provisioning instance {} failed; will retry", pending.name(), e);
        } finally {
            busy.remove(pending.id());
        }
    }

    private void failed(InstanceRow pending, String problem) {
        Retry previous = retries.get(pending.id());
        int failures = previous == null ? 1 : previous.failures() + 1;
        long delayMillis = Math.min(MAX_RETRY.toMillis(), 1000L << Math.min(failures - 1, 16));
        Instant now = context.clock.instant();
        retries.put(pending.id(), new Retry(failures, now.plusMillis(delayMillis)));
        if (!problem.equals(pending.terminationReasonMessage())) {
            context.store.useTransaction(tx -> tx.instances().find(pending.id())
                    .filter(i -> !i.deleted() && InstanceStatus.fromWireValue(i.status()) == InstanceStatus.PENDING)
                    .ifPresent(i -> tx.instances().updateIfNotLeased(i.toBuilder().terminationReasonMessage(problem)
                            .lastProcessedAt(now).build(), now)));
        }
        LOG.info("Instance {} is not up yet (attempt {}): {}", pending.name(), failures, problem);
    }

    private void markReachability(InstanceRow instance, Instant now) {
        RemoteHostAddress address = addressOf(instance);
        Optional<String> unreachable = remotes.host(address).unreachableReason();
        if (unreachable.isPresent() != instance.unreachable()) {
            context.store.useTransaction(tx -> tx.instances().find(instance.id()).ifPresent(i -> tx.instances()
                    .updateIfNotLeased(i.toBuilder().unreachable(unreachable.isPresent())
                            .terminationReasonMessage(unreachable.orElse(null)).lastProcessedAt(now).build(), now)));
        }
    }

    /** The SSH address of an instance whose host the engine reaches (an SSH fleet's host, a cloud VM). */
    private static RemoteHostAddress addressOf(InstanceRow instance) {
        return Json.read(instance.remoteConnectionInfo(), RemoteConnectionInfo.class).address();
    }

    /** Closes the connection of an instance that has ended (a cloud VM terminated or taken back): nothing answers there. */
    public void hostGone(InstanceRow instance) {
        try {
            remotes.release(addressOf(instance));
        } catch (RuntimeException e) {
            LOG.warn("Closing the connection of instance {} failed: {}", instance.name(), e.getMessage());
        }
    }

    /** Removes the engine's files from the hosts of deleted instances and closes their connections, in the background. */
    public void cleanUp(List<InstanceRow> removed) {
        for (InstanceRow instance : removed) {
            retries.remove(instance.id());
            RemoteHostAddress address = addressOf(instance);
            probes.execute(() -> {
                try {
                    if (InstanceStatus.fromWireValue(instance.status()) != InstanceStatus.PENDING) {
                        remotes.host(address).removeEngineFiles();
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Removing dstack's files from {} failed: {}", address.display(), e.getMessage());
                } finally {
                    remotes.release(address);
                }
            });
        }
    }

    @Override
    public void close() {
        loop.close();
        probes.shutdownNow();
        try {
            probes.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
