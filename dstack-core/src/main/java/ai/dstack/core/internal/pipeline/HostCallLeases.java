package ai.dstack.core.internal.pipeline;

import ai.dstack.core.internal.context.DaemonThreads;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.spi.storage.Lease;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases of the jobs whose host calls are queued or running, extended every third of the lease while any is
 * held. A host call may outlast the lease (a start that unpacks archives or clones a repo, calls queued behind
 * others on a busy machine): without a heartbeat another replica would claim the job meanwhile, find no process yet
 * and start it a second time.
 */
final class HostCallLeases implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostCallLeases.class);

    private final EngineContext context;
    private final Set<Lease> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService heartbeats = DaemonThreads.scheduler("dstack-host-call-leases");

    HostCallLeases(EngineContext context) {
        this.context = context;
        long period = Math.max(10, context.settings.lease().toMillis() / 3);
        heartbeats.scheduleWithFixedDelay(this::extend, period, period, TimeUnit.MILLISECONDS);
    }

    void hold(Lease lease) {
        held.add(lease);
    }

    void letGo(Lease lease) {
        held.remove(lease);
    }

    /** A lease that its call has meanwhile written and let go (or lost) is not renewed: the token no longer matches. */
    private void extend() {
        if (held.isEmpty()) {
            return;
        }
        List<Lease> leases = List.copyOf(held);
        try {
            int renewed = context.store.heartbeat(leases, context.clock.instant(), context.settings.lease()).size();
            LOG.debug("Extended {} of {} leases of jobs in host calls", renewed, leases.size());
        } catch (RuntimeException e) {
            LOG.warn("Extending the leases of {} jobs in host calls failed: {}", leases.size(), e.getMessage());
        }
    }

    @Override
    public void close() {
        heartbeats.shutdownNow();
    }
}
