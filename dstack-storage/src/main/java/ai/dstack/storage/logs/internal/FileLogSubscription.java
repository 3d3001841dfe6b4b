package ai.dstack.storage.logs.internal;

import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogFollow;
import ai.dstack.spi.logs.LogListener;
import ai.dstack.spi.logs.LogSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One follower. Batches are queued and delivered by whichever thread finds the queue idle (a "drain" loop), so the
 * listener sees them in order and one at a time without a thread of its own. The thread that called
 * {@code follow} owns delivery until it has replayed the stored events, so new events wait behind the replay.
 */
final class FileLogSubscription implements LogSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(FileLogSubscription.class);
    // A unique instance, compared by identity: ends the subscription in order with the batches before it.
    private static final List<LogEvent> CLOSE = new ArrayList<>();

    private final LogFollow follow;
    private final LogListener listener;
    private final Consumer<FileLogSubscription> unregister;
    private final Queue<List<LogEvent>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger work = new AtomicInteger(1); // 1: held by the follow() caller until endReplay()
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean listenerDone; // only touched by the draining thread

    FileLogSubscription(LogFollow follow, LogListener listener, Consumer<FileLogSubscription> unregister) {
        this.follow = follow;
        this.listener = listener;
        this.unregister = unregister;
    }

    /** Events just written to the followed file. */
    void offer(List<LogEvent> events) {
        if (closed.get()) {
            return;
        }
        List<LogEvent> accepted = events.stream().filter(follow::accepts).toList();
        if (!accepted.isEmpty()) {
            queue.add(accepted);
            drain();
        }
    }

    /** Stored events; only the {@code follow} caller calls this, before {@link #endReplay()}. */
    void replayed(List<LogEvent> events) {
        deliver(events);
    }

    /** Hands delivery over: from now on the writers' threads deliver. */
    void endReplay() {
        drainLoop();
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            unregister.accept(this);
            queue.add(CLOSE);
            drain();
        }
    }

    private void drain() {
        if (work.getAndIncrement() == 0) {
            drainLoop();
        }
    }

    private void drainLoop() {
        int missed = 1;
        do {
            List<LogEvent> batch;
            while ((batch = queue.poll()) != null) {
                if (batch == CLOSE) {
                    notifyClosed();
                } else {
                    deliver(batch);
                }
            }
            missed = work.addAndGet(-missed);
        } while (missed != 0);
    }

    private void deliver(List<LogEvent> batch) {
        if (closed.get()) {
            return;
        }
        try {
            listener.onEvents(batch);
        } catch (RuntimeException e) {
            LOG.warn("Log listener {} failed and was unsubscribed", listener, e);
            close();
        }
    }

    private void notifyClosed() {
        if (listenerDone) {
            return;
        }
        listenerDone = true;
        try {
            listener.onClosed();
        } catch (RuntimeException e) {
            LOG.warn("Log listener {} failed when closed", listener, e);
        }
    }
}
