package ai.dstack.core.internal.context;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is attached to which job: an attachment is an open SSH session into the job. A dev environment with
 * {@code inactivity_duration} ends when nobody has been attached for that long (dstack's runner counts the same:
 * seconds without SSH connections). Kept in memory by the engine that serves the sessions.
 */
public final class JobActivity {
    private final Clock clock;
    /** Sessions of an earlier server process are not known: idleness is counted from this engine's start at most. */
    private final Instant since;
    private final Map<UUID, State> jobs = new ConcurrentHashMap<>();

    JobActivity(Clock clock) {
        this.clock = clock;
        this.since = clock.instant();
    }

    /** Records a session into the job; closing the returned attachment ends it. */
    public Attachment attach(UUID jobId) {
        jobs.compute(jobId, (id, state) -> state == null ? new State(1, null) : new State(state.open + 1, state.lastDetached));
        return new Attachment(this, jobId);
    }

    private void detach(UUID jobId) {
        Instant now = clock.instant();
        jobs.computeIfPresent(jobId, (id, state) -> new State(Math.max(0, state.open - 1), now));
    }

    /**
     * How long nobody has been attached to the job: zero while someone is, else since the last session ended or, when
     * there was none, since {@code startedAt} (or this engine's start, if later).
     */
    public Duration idle(UUID jobId, Instant startedAt) {
        State state = jobs.get(jobId);
        if (state != null && state.open > 0) {
            return Duration.ZERO;
        }
        Instant from = startedAt.isAfter(since) ? startedAt : since;
        if (state != null && state.lastDetached != null && state.lastDetached.isAfter(from)) {
            from = state.lastDetached;
        }
        Duration idle = Duration.between(from, clock.instant());
        return idle.isNegative() ? Duration.ZERO : idle;
    }

    /** Whether a session into the job is open now. */
    public boolean attached(UUID jobId) {
        State state = jobs.get(jobId);
        return state != null && state.open > 0;
    }

    /** Forgets a finished job. */
    public void forget(UUID jobId) {
        jobs.remove(jobId);
    }

    private record State(int open, Instant lastDetached) {}

    /** One open session; {@link #close()} is idempotent. */
    public static final class Attachment implements AutoCloseable {
        private final JobActivity activity;
        private final UUID jobId;
        private boolean closed;

        private Attachment(JobActivity activity, UUID jobId) {
            this.activity = activity;
            this.jobId = jobId;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                activity.detach(jobId);
            }
        }
    }
}
