package ai.dstack.core.internal.pipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Lets a caller wait for a change of one run. Waking every waiter on every run's change would cost each waiter a
 * read per change of any run: with many runs and waiters that is quadratic.
 */
public final class RunChanges {
    private static final class Signal {
        long version;
        int watchers;
    }

    private final Map<UUID, Signal> signals = new HashMap<>();

    /** Called when the run's status changed: its watchers wake. */
    public void changed(UUID runId) {
        Signal signal;
        synchronized (signals) {
            signal = signals.get(runId);
        }
        if (signal != null) {
            synchronized (signal) {
                signal.version++;
                signal.notifyAll();
            }
        }
    }

    /** Starts watching the run; a change after this call is never missed by {@link Watch#await}. */
    public Watch watch(UUID runId) {
        synchronized (signals) {
            Signal signal = signals.computeIfAbsent(runId, id -> new Signal());
            signal.watchers++;
            synchronized (signal) {
                return new Watch(runId, signal, signal.version);
            }
        }
    }

    public final class Watch implements AutoCloseable {
        private final UUID runId;
        private final Signal signal;
        private long seen;

        private Watch(UUID runId, Signal signal, long seen) {
            this.runId = runId;
            this.signal = signal;
            this.seen = seen;
        }

        /** Returns when the run changed since the last call (or since watching began), or after {@code millis}. */
        public void await(long millis) throws InterruptedException {
            synchronized (signal) {
                if (signal.version == seen) {
                    signal.wait(Math.max(1, millis));
                }
                seen = signal.version;
            }
        }

        @Override
        public void close() {
            synchronized (signals) {
                if (--signal.watchers == 0) {
                    signals.remove(runId);
                }
            }
        }
    }
}
