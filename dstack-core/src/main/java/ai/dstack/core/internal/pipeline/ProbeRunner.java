package ai.dstack.core.internal.pipeline;

import ai.dstack.core.internal.context.DaemonThreads;
import ai.dstack.api.run.JobSpec;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.Probe;
import ai.dstack.api.run.ProbeSpec;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.core.internal.services.ServiceNetwork;
import ai.dstack.spi.storage.JobRow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Decides which running service replicas get traffic, as dstack's probes task does: each HTTP probe of the job
 * spec runs every {@code interval} seconds (by the engine's clock) and counts its successes in a row; a replica is
 * ready once every probe reached its {@code ready_after}. A replica without probes is ready once its port accepts a
 * connection. Readiness changes wake the run (rolling updates wait for it). State is in memory: a restarted engine
 * probes its replicas afresh.
 */
public final class ProbeRunner implements AutoCloseable {
    private static final Duration TICK = Duration.ofMillis(100);
    private static final Duration STATUS_CHECK = Duration.ofMillis(500);

    /** How long a check that a replica's own processes hold its port counts (it reads /proc). */
    private static final long OWNER_CHECK_NANOS = Duration.ofSeconds(1).toNanos();

    /** Whether the job's own processes listen on the port (true where that cannot be told, e.g. a remote host). */
    public interface PortOwners {
        boolean holds(UUID jobId, int port);

        PortOwners ANYONE = (jobId, port) -> true;
    }

    private final EngineContext context;
    private final ServiceNetwork network;
    private final PortOwners owners;
    private final Map<UUID, Replica> replicas = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();
    private final ScheduledExecutorService ticker = DaemonThreads.scheduler("dstack-probes");
    private final ExecutorService checks = DaemonThreads.pool(4, "dstack-probe-checks");

    public ProbeRunner(EngineContext context, ServiceNetwork network) {
        this(context, network, PortOwners.ANYONE);
    }

    /**
     * @param owners tells whether a replica's port is held by the replica itself: on a shared network anything on the
     *     host may listen on it (a loopback-only service the replica's {@code port:} names), and that must not be
     *     published through the proxy
     */
    public ProbeRunner(EngineContext context, ServiceNetwork network, PortOwners owners) {
        this.context = context;
        this.network = network;
        this.owners = network.isolated() ? PortOwners.ANYONE : owners;
        ticker.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A running service job: probe it from now on (once). */
    void track(JobRow job) {
        JobSpec spec = Json.read(job.jobSpecData(), JobSpec.class);
        if (spec.servicePort() == null) {
            return;
        }
        replicas.computeIfAbsent(job.id(), id -> new Replica(id, job.runId(), spec.servicePort(), spec.probes()));
    }

    /** Whether the replica gets traffic now: ready, and its port still its own (checked at most once a second). */
    public boolean ready(UUID jobId) {
        Replica replica = replicas.get(jobId);
        return replica != null && replica.ready() && ownsPort(replica);
    }

    private boolean ownsPort(Replica replica) {
        long now = System.nanoTime();
        if (now - replica.ownerCheckedAt > OWNER_CHECK_NANOS) {
            replica.owned = owners.holds(replica.jobId, replica.port);
            replica.ownerCheckedAt = now;
        }
        return replica.owned;
    }

    /** Where the proxy sends the replica's traffic; empty when the replica is not tracked. */
    public Optional<InetSocketAddress> upstream(UUID jobId) {
        Replica replica = replicas.get(jobId);
        if (replica == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(upstream(replica));
        } catch (RuntimeException e) {
            return Optional.empty(); // its host cannot be reached now: no traffic goes there
        }
    }

    /** The engine's own host's replicas through its network; another host's through a tunnel to its loopback. */
    private InetSocketAddress upstream(Replica replica) {
        return context.host.forwardPort(new ai.dstack.spi.host.JobHandle(replica.jobId.toString()), replica.port)
                .orElseGet(() -> network.upstream(replica.jobId, replica.port));
    }

    private boolean accepts(Replica replica) {
        return context.host.listensOn(new ai.dstack.spi.host.JobHandle(replica.jobId.toString()), replica.port)
                .orElseGet(() -> network.accepts(replica.jobId, replica.port));
    }

    /** dstack's {@code probes} of a job submission: one success streak per probe of its spec. */
    public List<Probe> probes(UUID jobId) {
        Replica replica = replicas.get(jobId);
        if (replica == null) {
            return List.of();
        }
        List<Probe> out = new ArrayList<>();
        for (int i = 0; i < replica.specs.size(); i++) {
            out.add(new Probe(replica.streaks[i]));
        }
        return out;
    }

    private void tick() {
        Instant now = context.clock.instant();
        for (Replica replica : replicas.values()) {
            try {
                if (replica.stale(System.nanoTime()) && !stillRunning(replica)) {
                    replicas.remove(replica.jobId);
                    network.release(replica.jobId);
                    continue;
                }
                if (replica.specs.isEmpty()) {
                    if (!replica.portOpen && replica.claim(0)) {
                        checks.execute(() -> checkPort(replica));
                    }
                    continue;
                }
                for (int i = 0; i < replica.specs.size(); i++) {
                    ProbeSpec spec = replica.specs.get(i);
                    boolean settled = spec.untilReady() && replica.streaks[i] >= spec.readyAfter();
                    if (!settled && !now.isBefore(replica.due[i]) && replica.claim(i)) {
                        int probe = i;
                        checks.execute(() -> runProbe(replica, probe));
                    }
                }
            } catch (RuntimeException e) {
                // one replica's trouble must not stop the others' probes
            }
        }
    }

    private boolean stillRunning(Replica replica) {
        return context.store.inReadOnlyTransaction(tx -> tx.jobs().find(replica.jobId))
                .map(job -> JobStatus.fromWireValue(job.status()) == JobStatus.RUNNING).orElse(false);
    }

    private void checkPort(Replica replica) {
        try {
            boolean open = accepts(replica) && ownsPort(replica);
            if (open && !replica.portOpen) {
                replica.portOpen = true;
                context.hintRun(replica.runId);
            }
        } finally {
            replica.release(0);
        }
    }

    private void runProbe(Replica replica, int i) {
        ProbeSpec spec = replica.specs.get(i);
        boolean wasReady = replica.ready();
        try {
            boolean success = execute(replica, spec);
            replica.streaks[i] = success ? replica.streaks[i] + 1 : 0;
            replica.due[i] = context.clock.instant().plusSeconds(Math.max(1, spec.interval()));
        } finally {
            replica.release(i);
        }
        if (replica.ready() != wasReady) {
            context.hintRun(replica.runId);
        }
    }

    private boolean execute(Replica replica, ProbeSpec spec) {
        try {
            InetSocketAddress upstream = upstream(replica);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + upstream.getPort() + spec.url()))
                    .timeout(Duration.ofSeconds(Math.max(1, spec.timeout())));
            spec.headers().forEach(h -> request.header(h.name(), h.value()));
            request.method(spec.method().toUpperCase(Locale.ROOT), spec.body() == null
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(spec.body()));
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() >= 200 && response.statusCode() < 300;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        checks.shutdownNow();
        network.close();
    }

    /** One replica's probe state. Streaks and due times are written by one check at a time per probe. */
    private static final class Replica {
        final UUID jobId;
        final UUID runId;
        final int port;
        final List<ProbeSpec> specs;
        final int[] streaks;
        final Instant[] due;
        private final boolean[] busy;
        volatile boolean portOpen;
        volatile boolean owned;
        volatile long ownerCheckedAt = System.nanoTime() - 2 * OWNER_CHECK_NANOS;
        private long lastStatusCheck = System.nanoTime();

        Replica(UUID jobId, UUID runId, int port, List<ProbeSpec> specs) {
            this.jobId = jobId;
            this.runId = runId;
            this.port = port;
            this.specs = specs == null ? List.of() : List.copyOf(specs);
            this.streaks = new int[this.specs.size()];
            this.due = new Instant[this.specs.size()];
            java.util.Arrays.fill(due, Instant.EPOCH);
            this.busy = new boolean[Math.max(1, this.specs.size())];
        }

        public boolean ready() {
            if (specs.isEmpty()) {
                return portOpen;
            }
            for (int i = 0; i < specs.size(); i++) {
                if (streaks[i] < specs.get(i).readyAfter()) {
                    return false;
                }
            }
            return true;
        }

        synchronized boolean claim(int i) {
            if (busy[i]) {
                return false;
            }
            busy[i] = true;
            return true;
        }

        synchronized void release(int i) {
            busy[i] = false;
        }

        synchronized boolean stale(long nanos) {
            if (nanos - lastStatusCheck < STATUS_CHECK.toNanos()) {
                return false;
            }
            lastStatusCheck = nanos;
            return true;
        }
    }
}
