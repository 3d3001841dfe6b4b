package ai.dstack.core.internal.pipeline;

import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.LogChunk;
import ai.dstack.spi.host.LogLine;
import ai.dstack.spi.host.LogStream;
import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogSource;
import ai.dstack.spi.storage.JobRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the output of running jobs from the host into the log store, where pollers and followers read it. One
 * thread pumps every job this engine tracks; each job's position in its host log is kept here and saved in the
 * job row ({@code runner_timestamp}, the column dstack uses for the runner's log position) whenever the job is
 * processed, so a restarted engine resumes where it stopped. Engines that share the host (replicas) take turns per
 * job through the host's log-reader claim: one copies, the others leave the job alone until it lets go.
 */
public final class LogPump {
    private static final Logger LOG = LoggerFactory.getLogger(LogPump.class);
    private static final int LINES_PER_READ = 2000;
    private static final java.time.Duration HANDOVER_WAIT = java.time.Duration.ofSeconds(10);
    /**
     * How long a silent job may go between two reads of its log: a read that finds nothing doubles the job's pause, up
     * to 1 s, or 0.5 ms per job tracked when that is longer, so that silent logs cost about 2,000 reads a second at
     * most (10,000 sleeping jobs: every 5 s). A read of a remote host's log is an SSH exchange: with silent jobs read
     * every pass, the AWS backend's tests took 3:40 min in a whole build, against 2:46-3:07 with this cap.
     */
    private static final long MIN_SILENT_PAUSE_CAP_NANOS = 1_000_000_000L;
    private static final long SILENT_PAUSE_NANOS_PER_JOB = 500_000;

    private final EngineContext context;
    private final Map<UUID, Tracked> tracked = new ConcurrentHashMap<>();
    private final Map<UUID, String> projectNames = new ConcurrentHashMap<>();

    private static final class Tracked {
        final UUID jobId;
        final JobLogRef ref;
        final JobHandle handle;
        /** This engine's right to copy the job's logs, among the engines that share the host. */
        final AutoCloseable readerClaim;
        /** Set when the job's process has ended: the next pass copies what is left and lets the job go. */
        volatile boolean ended;
        long offset;
        /**
         * When the next pass reads this job's log, and the pause after a read that found nothing: a job that prints
         * is read every pass, ten thousand that sleep are not read four times a second each.
         */
        long dueNanos = System.nanoTime();
        long silentPauseNanos;
        /** Lines up to this time may already be stored (an engine died before saving its position). */
        Instant storedUntil;
        /** How many lines stamped exactly {@code storedUntil} are stored already. */
        int storedAtBoundary;

        Tracked(UUID jobId, JobLogRef ref, JobHandle handle, AutoCloseable readerClaim, long offset) {
            this.jobId = jobId;
            this.ref = ref;
            this.handle = handle;
            this.readerClaim = readerClaim;
            this.offset = offset;
        }

        boolean alreadyStored(LogLine line) {
            if (storedUntil == null) {
                return false;
            }
            int order = line.timestamp().compareTo(storedUntil);
            if (order < 0) {
                return true;
            }
            if (order == 0 && storedAtBoundary > 0) {
                storedAtBoundary--;
                return true;
            }
            storedUntil = null;
            return false;
        }
    }

    public LogPump(EngineContext context) {
        this.context = context;
    }

    /** Starts copying the job's logs, unless another engine on this host copies them (then it goes on doing so). */
    void track(JobRow job) {
        tracked.computeIfAbsent(job.id(), id -> claim(job));
    }

    private Tracked claim(JobRow job) {
        JobHandle handle = new JobHandle(job.id().toString());
        Optional<AutoCloseable> claim = context.host.claimLogReader(handle);
        if (claim.isEmpty()) {
            return null;
        }
        Tracked t;
        try {
            t = resume(job, handle, claim.get());
        } catch (RuntimeException e) {
            closeQuietly(claim.get());
            throw e;
        }
        // Another replica may finish the job: the end must still let go of the claim, so that it can drain.
        context.host.onFinished(handle).whenComplete((status, error) -> t.ended = true);
        return t;
    }

    /**
     * Starts from the position saved with the job, and skips what the log store already has beyond it: lines an
     * engine copied before it died without saving its position. Nothing is lost and nothing is stored twice.
     */
    private Tracked resume(JobRow job, JobHandle handle, AutoCloseable readerClaim) {
        Tracked t = new Tracked(job.id(), ref(job), handle, readerClaim,
                job.runnerTimestamp() == null ? 0 : job.runnerTimestamp());
        List<LogEvent> newest = context.logs.poll(t.ref, LogQuery.defaults().withDescending(true).withLimit(100)).events();
        if (!newest.isEmpty()) {
            t.storedUntil = newest.get(0).timestamp();
            t.storedAtBoundary = (int) newest.stream().filter(e -> e.timestamp().equals(t.storedUntil)).count();
        }
        return t;
    }

    void untrack(UUID jobId) {
        Tracked t = tracked.remove(jobId);
        if (t != null) {
            closeQuietly(t.readerClaim);
        }
    }

    private void letGo(Tracked t) {
        if (tracked.remove(t.jobId, t)) {
            closeQuietly(t.readerClaim);
        }
    }

    private static void closeQuietly(AutoCloseable claim) {
        try {
            claim.close();
        } catch (Exception e) {
            LOG.debug("Letting go of a log-reader claim failed", e);
        }
    }

    /** The job's position in its host log, to be saved with the job. */
    Long offset(JobRow job) {
        Tracked t = tracked.get(job.id());
        return t == null ? job.runnerTimestamp() : Long.valueOf(t.offset);
    }

    /** Copies everything the job wrote so far (called when it has ended, so nothing is left behind). */
    void drain(JobRow job) {
        Tracked t = awaitClaim(job);
        if (t == null) {
            LOG.warn("Another engine still copies the logs of job {} ({}); leaving the rest to it",
                    job.jobName(), job.id());
            return;
        }
        while (pump(t)) {
            // keep reading until the host has nothing more
        }
    }

    /** Another engine that copies the job's logs lets go once it sees the job end and has copied the rest. */
    private Tracked awaitClaim(JobRow job) {
        long deadline = System.nanoTime() + HANDOVER_WAIT.toNanos();
        while (true) {
            track(job);
            Tracked t = tracked.get(job.id());
            if (t != null || System.nanoTime() - deadline > 0) {
                return t;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** One pass over every tracked job; true when some job had new output. */
    public boolean pumpAll() {
        boolean any = false;
        long now = System.nanoTime();
        long pass = context.settings.logPump().toNanos();
        long maxSilentPause = Math.max(MIN_SILENT_PAUSE_CAP_NANOS, tracked.size() * SILENT_PAUSE_NANOS_PER_JOB);
        for (Tracked t : tracked.values()) {
            try {
                boolean ended = t.ended; // read first: all the ended job's output is in its log by now
                if (!ended && now - t.dueNanos < 0) {
                    continue;
                }
                boolean read = pump(t);
                any |= read;
                t.silentPauseNanos = read ? 0 : Math.min(maxSilentPause, Math.max(pass, 2 * t.silentPauseNanos));
                t.dueNanos = now + t.silentPauseNanos;
                if (ended) {
                    while (pump(t)) {
                        // the rest, then the claim goes to whoever finishes the job
                    }
                    letGo(t);
                }
            } catch (RuntimeException e) {
                LOG.warn("Copying logs of job {} failed; will retry", t.handle, e);
            }
        }
        return any;
    }

    private boolean pump(Tracked t) {
        synchronized (t) {
            LogChunk chunk = context.host.readLogs(t.handle, t.offset, LINES_PER_READ);
            if (chunk.lines().isEmpty()) {
                return false;
            }
            List<LogEvent> events = new ArrayList<>(chunk.lines().size());
            for (LogLine line : chunk.lines()) {
                if (t.alreadyStored(line)) {
                    continue;
                }
                events.add(new LogEvent(line.timestamp(),
                        line.stream() == LogStream.STDERR ? LogSource.STDERR : LogSource.STDOUT, line.rawText()));
            }
            if (!events.isEmpty()) {
                context.logs.write(t.ref, events, List.of());
            }
            t.offset = chunk.nextOffset();
            return true;
        }
    }

    private JobLogRef ref(JobRow job) {
        String project = projectNames.computeIfAbsent(job.projectId(), id -> context.store.inReadOnlyTransaction(
                tx -> tx.projects().find(id)).map(p -> p.name()).orElse(id.toString()));
        return new JobLogRef(project, job.runName(), job.id());
    }
}
