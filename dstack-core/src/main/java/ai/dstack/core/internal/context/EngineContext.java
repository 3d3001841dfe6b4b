package ai.dstack.core.internal.context;

import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.storage.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every part of the engine shares: the stores, the host, the clock, and the hints that make loops react at
 * once. A hint names a row that changed; the loop claims exactly that row next, instead of waiting for a sweep.
 */
public final class EngineContext {
    private static final long RETRY_HINT_MILLIS = 20;

    public final StateStore store;
    public final LogStore logs;
    public final HostExecutor host;
    public final Clock clock;
    public final EngineSettings settings;
    /** Service replicas' probe states for run views; none until the engine's probes are up. */
    public volatile ProbeStates probeStates = ProbeStates.NONE;
    /** Open SSH sessions into jobs (dev environments' inactivity). */
    public final JobActivity activity;
    /** dstack's events, recorded in the transaction of the change they describe. */
    public final EventLog events;
    /** Sampling interval and retention of job metrics and events; set once before the loops start. */
    public volatile ai.dstack.core.MetricsSettings metrics = ai.dstack.core.MetricsSettings.DSTACK;
    /** job_connection_info of running jobs, once an SSH server into jobs is published. */
    public final JobConnections connections = new JobConnections();
    /** Server-wide defaults of job specs (the base and DinD images); set by the engine's builder. */
    public volatile ai.dstack.core.internal.runs.JobDefaults jobDefaults =
            ai.dstack.core.internal.runs.JobDefaults.DSTACK.onHost();
    /** How many runs a user and a project may have active or queued; set by the engine's builder. */
    public volatile ai.dstack.core.RunLimits runLimits = ai.dstack.core.RunLimits.defaults();

    private final ConcurrentLinkedQueue<UUID> jobHints = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<UUID> runHints = new ConcurrentLinkedQueue<>();
    private final Set<UUID> hinted = ConcurrentHashMap.newKeySet();
    /**
     * Blocks freed since the job loop last looked, so that it considers only as many waiting jobs as can start;
     * {@link #ANY_BLOCKS} at start-up and when capacity of unknown size came (an instance came up).
     */
    private final AtomicInteger freedBlocks = new AtomicInteger(ANY_BLOCKS);
    public static final int ANY_BLOCKS = Integer.MAX_VALUE;
    private volatile Runnable wakeJobs = () -> {};
    private volatile Runnable wakeRuns = () -> {};
    /** Hints for rows that were leased when their hint came are tried again a moment later. */
    private final ScheduledExecutorService later = DaemonThreads.scheduler("dstack-hints");
    private final HintTimers timers = new HintTimers(this::hintJob, this::hintRun);

    public EngineContext(StateStore store, LogStore logs, HostExecutor host, Clock clock, EngineSettings settings) {
        this.store = store;
        this.logs = logs;
        this.host = host;
        this.clock = clock;
        this.settings = settings;
        this.activity = new JobActivity(clock);
        this.events = new EventLog(clock);
    }

    public void connect(Runnable wakeJobs, Runnable wakeRuns) {
        this.wakeJobs = wakeJobs;
        this.wakeRuns = wakeRuns;
    }

    public void hintJob(UUID jobId) {
        if (hinted.add(jobId)) {
            jobHints.add(jobId);
        }
        wakeJobs.run();
    }

    public void hintRun(UUID runId) {
        if (hinted.add(runId)) {
            runHints.add(runId);
        }
        wakeRuns.run();
    }

    /** The job was leased when hinted (its lease is about to go): hint it again shortly. */
    public void hintJobSoon(UUID jobId) {
        later.schedule(() -> hintJob(jobId), RETRY_HINT_MILLIS, TimeUnit.MILLISECONDS);
    }

    public void hintRunSoon(UUID runId) {
        later.schedule(() -> hintRun(runId), RETRY_HINT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Hints the run when {@code at} comes (a scheduled run's trigger); at once if it has come. */
    public void hintRunAt(UUID runId, Instant at) {
        long delay = Duration.between(clock.instant(), at).toMillis();
        if (delay <= 0) {
            hintRun(runId);
        } else {
            later.schedule(() -> hintRun(runId), delay, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Hints the job once the engine's clock reaches {@code at} (a waiting job's retry deadline or recheck): the loops
     * look at due timers each step, so a timer costs no database work until it fires. A job has at most one timer;
     * an earlier one covers a later one.
     */
    public void hintJobAt(UUID jobId, Instant at) {
        timers.add(jobId, at, false);
    }

    /** Hints the run once the engine's clock reaches {@code at} (a failed job's retry backoff), as {@link #hintJobAt}. */
    public void hintRunWhen(UUID runId, Instant at) {
        timers.add(runId, at, true);
    }

    /** Hints the jobs and runs whose timers are due by the engine's clock. */
    public void fireDueTimers() {
        timers.fire(clock.instant());
    }

    public void close() {
        later.shutdownNow();
    }

    /** Capacity of unknown size came (an instance came up): jobs waiting for capacity get their chance now. */
    public void capacityFreed() {
        freedBlocks.set(ANY_BLOCKS);
        wakeJobs.run();
    }

    /** A job gave {@code blocks} back: as many waiting jobs get their chance now, highest priority first. */
    public void capacityFreed(int blocks) {
        freedBlocks.accumulateAndGet(blocks, (freed, more) -> (int) Math.min(ANY_BLOCKS, (long) freed + more));
        wakeJobs.run();
    }

    /** The blocks freed since the last call (0 when none, {@link #ANY_BLOCKS} when of unknown size). */
    public int takeCapacityFreed() {
        return freedBlocks.getAndSet(0);
    }

    /** Hinted rows not taken by a loop yet. */
    public int queuedHints() {
        return hinted.size();
    }

    /** Up to {@code max} hinted jobs, oldest hint first: a loop handles a burst of hints with one claim. */
    public List<UUID> nextJobHints(int max) {
        return takeUpTo(jobHints, max);
    }

    public List<UUID> nextRunHints(int max) {
        return takeUpTo(runHints, max);
    }

    private List<UUID> takeUpTo(ConcurrentLinkedQueue<UUID> queue, int max) {
        List<UUID> ids = new ArrayList<>();
        for (UUID id = take(queue); id != null; id = ids.size() < max ? take(queue) : null) {
            ids.add(id);
        }
        return ids;
    }

    private UUID take(ConcurrentLinkedQueue<UUID> queue) {
        UUID id = queue.poll();
        if (id != null) {
            hinted.remove(id);
        }
        return id;
    }
}
