package ai.dstack.core.internal.engine;

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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the output of running jobs from the host into the log store, where pollers and followers read it. One
 * thread pumps every job this engine tracks; each job's position in its host log is kept here and saved in the
 * job row ({@code runner_timestamp}, the column dstack uses for the runner's log position) whenever the job is
 * processed, so a restarted engine resumes where it stopped.
 */
final class LogPump {
    private static final Logger LOG = LoggerFactory.getLogger(LogPump.class);
    private static final int LINES_PER_READ = 2000;

    private final Kernel k;
    private final Map<UUID, Tracked> tracked = new ConcurrentHashMap<>();
    private final Map<UUID, String> projectNames = new ConcurrentHashMap<>();

    private static final class Tracked {
        final JobLogRef ref;
        final JobHandle handle;
        long offset;
        /** Lines up to this time may already be stored (an engine died before saving its position). */
        Instant storedUntil;
        /** How many lines stamped exactly {@code storedUntil} are stored already. */
        int storedAtBoundary;

        Tracked(JobLogRef ref, JobHandle handle, long offset) {
            this.ref = ref;
            this.handle = handle;
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

    LogPump(Kernel kernel) {
        this.k = kernel;
    }

    void track(JobRow job) {
        tracked.computeIfAbsent(job.id(), id -> resume(job));
    }

    /**
     * Starts from the position saved with the job, and skips what the log store already has beyond it: lines an
     * engine copied before it died without saving its position. Nothing is lost and nothing is stored twice.
     */
    private Tracked resume(JobRow job) {
        Tracked t = new Tracked(ref(job), new JobHandle(job.id().toString()),
                job.runnerTimestamp() == null ? 0 : job.runnerTimestamp());
        List<LogEvent> newest = k.logs.poll(t.ref, LogQuery.defaults().withDescending(true).withLimit(100)).events();
        if (!newest.isEmpty()) {
            t.storedUntil = newest.get(0).timestamp();
            t.storedAtBoundary = (int) newest.stream().filter(e -> e.timestamp().equals(t.storedUntil)).count();
        }
        return t;
    }

    void untrack(UUID jobId) {
        tracked.remove(jobId);
    }

    /** The job's position in its host log, to be saved with the job. */
    Long offset(JobRow job) {
        Tracked t = tracked.get(job.id());
        return t == null ? job.runnerTimestamp() : Long.valueOf(t.offset);
    }

    /** Copies everything the job wrote so far (called when it has ended, so nothing is left behind). */
    void drain(JobRow job) {
        track(job);
        Tracked t = tracked.get(job.id());
        while (pump(t)) {
            // keep reading until the host has nothing more
        }
    }

    /** One pass over every tracked job; true when some job had new output. */
    boolean pumpAll() {
        boolean any = false;
        for (Tracked t : tracked.values()) {
            try {
                any |= pump(t);
            } catch (RuntimeException e) {
                LOG.warn("Copying logs of job {} failed; will retry", t.handle, e);
            }
        }
        return any;
    }

    private boolean pump(Tracked t) {
        synchronized (t) {
            LogChunk chunk = k.host.readLogs(t.handle, t.offset, LINES_PER_READ);
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
                k.logs.write(t.ref, events, List.of());
            }
            t.offset = chunk.nextOffset();
            return true;
        }
    }

    private JobLogRef ref(JobRow job) {
        String project = projectNames.computeIfAbsent(job.projectId(), id -> k.store.inReadOnlyTransaction(
                tx -> tx.projects().find(id)).map(p -> p.name()).orElse(id.toString()));
        return new JobLogRef(project, job.runName(), job.id());
    }
}
