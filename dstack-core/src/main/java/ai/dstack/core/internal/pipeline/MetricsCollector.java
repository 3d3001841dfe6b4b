package ai.dstack.core.internal.pipeline;

import ai.dstack.core.internal.context.DaemonThreads;
import ai.dstack.api.run.JobStatus;
import ai.dstack.core.MetricsSettings;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobUsage;
import ai.dstack.spi.storage.JobMetricsPointRow;
import ai.dstack.spi.storage.JobRow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the running jobs this engine watches (dstack's "collect job metrics" task) and keeps samples and events
 * within their retention. Samples of one pass are stored in one transaction; they are stamped with the engine's
 * clock, which is what {@code utilization_policy} windows are measured in. Jobs with a utilization policy are
 * hinted after a pass, so the job loop judges them on fresh samples.
 */
public final class MetricsCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsCollector.class);
    /** dstack deletes old metrics every 5 minutes and old events every 7. */
    private static final Duration METRICS_PRUNE = Duration.ofMinutes(5);
    private static final Duration EVENTS_PRUNE = Duration.ofMinutes(7);
    /** Samples written or deleted per transaction. */
    private static final int WRITE_CHUNK = 500;
    private static final List<String> FINISHED = Arrays.stream(JobStatus.values()).filter(JobStatus::isFinished)
            .map(JobStatus::wireValue).toList();

    private final EngineContext context;
    /** Running jobs to sample, and whether each has a utilization policy. */
    private final Map<UUID, Boolean> tracked = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = DaemonThreads.scheduler("dstack-metrics");
    private java.util.concurrent.ScheduledFuture<?> next;
    private volatile long lastPassNanos = System.nanoTime();
    private Instant lastMetricsPrune = Instant.EPOCH;
    private Instant lastEventsPrune = Instant.EPOCH;

    public MetricsCollector(EngineContext context) {
        this.context = context;
    }

    public synchronized void start() {
        next = timer.schedule(this::tick, context.metrics.collectInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The interval changed: the next pass comes one new interval from now. */
    public synchronized void reschedule() {
        if (next != null && next.cancel(false)) {
            start();
        }
    }

    void track(JobRow job, boolean hasUtilizationPolicy) {
        tracked.putIfAbsent(job.id(), hasUtilizationPolicy);
    }

    void untrack(UUID jobId) {
        tracked.remove(jobId);
    }

    private void tick() {
        try {
            collect();
        } catch (RuntimeException e) {
            if (timer.isShutdown()) {
                LOG.debug("Collecting job metrics stopped by the engine's close", e);
            } else {
                LOG.error("Collecting job metrics failed; trying again at the next interval", e);
            }
        } finally {
            synchronized (this) {
                if (!timer.isShutdown()) {
                    start();
                }
            }
        }
    }

    /**
     * One pass: sample every tracked job (each host reads its process table once for all its jobs), store the
     * samples, prune what is past its retention when due.
     */
    public void collect() {
        List<JobMetricsPointRow> points = new ArrayList<>();
        List<JobHandle> handles = tracked.keySet().stream().map(id -> new JobHandle(id.toString())).toList();
        Map<JobHandle, Optional<JobUsage>> usages;
        try {
            usages = handles.isEmpty() ? Map.of() : context.host.usage(handles);
        } catch (HostExecutionException e) {
            LOG.debug("No metrics for {} jobs in this pass: {}", handles.size(), e.getMessage());
            usages = Map.of();
        }
        for (JobHandle handle : handles) {
            Optional<JobUsage> usage = usages.get(handle);
            UUID jobId = UUID.fromString(handle.jobId());
            if (usage == null) {
                // Normal for a job whose process ended while it was sampled (its files may be gone already).
                LOG.debug("No metrics for job {} in this pass", jobId);
            } else {
                usage.ifPresent(u -> points.add(point(jobId, u)));
            }
        }
        if (!points.isEmpty()) {
            // In chunks, each its own write: ten thousand samples in one transaction would hold the database's
            // writer, and every submission behind it, for the better part of a second.
            for (int from = 0; from < points.size(); from += WRITE_CHUNK) {
                List<JobMetricsPointRow> chunk = points.subList(from, Math.min(points.size(), from + WRITE_CHUNK));
                context.store.useTransaction(tx -> chunk.forEach(tx.metrics()::insert));
            }
            points.stream().filter(point -> Boolean.TRUE.equals(tracked.get(point.jobId())))
                    .forEach(point -> context.hintJob(point.jobId()));
        }
        prune();
        lastPassNanos = System.nanoTime();
    }

    /** Time since the last pass ended: about the interval when sampling keeps up, more when it lags. */
    public Duration sinceLastPass() {
        return Duration.ofNanos(System.nanoTime() - lastPassNanos);
    }

    private JobMetricsPointRow point(UUID jobId, JobUsage usage) {
        long micros = toMicros(context.clock.instant());
        return new JobMetricsPointRow(UUID.randomUUID(), jobId, micros, usage.cpuTimeMicros(),
                usage.memoryUsageBytes(), usage.memoryWorkingSetBytes(), usage.cpus(), usage.memoryTotalBytes(),
                json(usage.gpus().stream().map(JobUsage.Gpu::memoryTotalBytes).toList()),
                json(usage.gpus().stream().map(JobUsage.Gpu::memoryUsedBytes).toList()),
                json(usage.gpus().stream().map(g -> (long) g.utilPercent()).toList()));
    }

    private void prune() {
        Instant now = context.clock.instant();
        MetricsSettings settings = context.metrics;
        if (Duration.between(lastMetricsPrune, now).compareTo(METRICS_PRUNE) >= 0) {
            lastMetricsPrune = now;
            long runningCutoff = toMicros(now.minus(settings.runningTtl()));
            long finishedCutoff = toMicros(now.minus(settings.finishedTtl()));
            List<String> active = Arrays.stream(JobStatus.values()).filter(s -> !s.isFinished()).map(JobStatus::wireValue).toList();
            int deleted = deleteInChunks(runningCutoff, active) + deleteInChunks(finishedCutoff, FINISHED);
            LOG.debug("Deleted {} job metrics samples past their retention", deleted);
        }
        if (settings.eventsEnabled() && Duration.between(lastEventsPrune, now).compareTo(EVENTS_PRUNE) >= 0) {
            lastEventsPrune = now;
            int deleted = context.store.inTransaction(tx -> tx.events().deleteOlderThan(now.minus(settings.eventsTtl())));
            LOG.debug("Deleted {} events past their retention", deleted);
        }
    }

    private int deleteInChunks(long cutoffMicro, List<String> jobStatuses) {
        int total = 0;
        int deleted;
        do {
            deleted = context.store.inTransaction(tx -> tx.metrics().deleteOlderThan(cutoffMicro, jobStatuses, WRITE_CHUNK));
            total += deleted;
        } while (deleted == WRITE_CHUNK);
        return total;
    }

    static long toMicros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }

    private static String json(List<Long> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
