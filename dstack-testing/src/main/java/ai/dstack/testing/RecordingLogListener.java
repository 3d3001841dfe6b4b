package ai.dstack.testing;

import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LogListener} for tests: records what a follower receives, notices when a store breaks the listener's
 * contract (a concurrent call, events after {@code onClosed}), and lets a test wait, with a deadline, for a number of
 * events.
 */
public final class RecordingLogListener implements LogListener {
    private final List<LogEvent> events = new ArrayList<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private int closedCalls;
    private boolean eventsAfterClose;
    private boolean concurrentCall;
    private boolean inCall;

    @Override
    public void onEvents(List<LogEvent> batch) {
        enter();
        synchronized (this) {
            eventsAfterClose |= closedCalls > 0;
            events.addAll(batch);
            batchSizes.add(batch.size());
            notifyAll();
        }
        leave();
    }

    @Override
    public void onClosed() {
        enter();
        synchronized (this) {
            closedCalls++;
            notifyAll();
        }
        leave();
    }

    public synchronized List<LogEvent> events() {
        return List.copyOf(events);
    }

    public synchronized List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    public synchronized int closedCalls() {
        return closedCalls;
    }

    /** Whether the store ever broke the listener contract: a concurrent call, or events after onClosed. */
    public synchronized boolean contractBroken() {
        return concurrentCall || eventsAfterClose;
    }

    /** Waits until at least {@code count} events arrived or the deadline passed; returns what arrived. */
    public synchronized List<LogEvent> awaitEvents(int count, Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (events.size() < count) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(events);
    }

    private synchronized void enter() {
        concurrentCall |= inCall;
        inCall = true;
    }

    private synchronized void leave() {
        inCall = false;
    }
}
