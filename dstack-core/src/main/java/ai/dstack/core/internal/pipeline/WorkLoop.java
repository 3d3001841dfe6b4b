package ai.dstack.core.internal.pipeline;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One background loop on one thread: it runs {@code step} again at once while the step finds work, and otherwise
 * sleeps until {@link #wake()} is called or the safety sweep interval passes. Events wake it, so reaction is
 * immediate without polling; the sweep only catches what no event announced (another replica's changes, a lost
 * wake-up). A step that throws is logged and the loop goes on.
 */
public final class WorkLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkLoop.class);

    private final String name;
    private final Duration sweep;
    private final BooleanSupplier step;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final Thread thread;
    private boolean pending = true;
    private volatile boolean running = true;

    public WorkLoop(String name, Duration sweep, BooleanSupplier step) {
        this.name = name;
        this.sweep = sweep;
        this.step = step;
        this.thread = new Thread(this::loop, "dstack-" + name);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Asks for one more step as soon as possible; cheap, callable from any thread, never blocks on the step. */
    public void wake() {
        lock.lock();
        try {
            pending = true;
            woken.signal();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (running) {
            awaitWork();
            if (!running) {
                return;
            }
            boolean more;
            try {
                more = step.getAsBoolean();
            } catch (RuntimeException | Error e) {
                LOG.error("{} step failed; retrying after the next wake-up or sweep", name, e);
                more = false;
            }
            if (more) {
                wake();
            }
        }
    }

    private void awaitWork() {
        lock.lock();
        try {
            long nanos = sweep.toNanos();
            while (!pending && running && nanos > 0) {
                nanos = woken.awaitNanos(nanos);
            }
            pending = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
