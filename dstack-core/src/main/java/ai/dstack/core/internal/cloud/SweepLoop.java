package ai.dstack.core.internal.cloud;

import ai.dstack.core.internal.context.DaemonThreads;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A background step's loop: one named daemon thread that runs the step's pass every sweep and soon after a
 * {@link #wake}. One thread, so two passes never overlap.
 */
final class SweepLoop implements AutoCloseable {
    private final ScheduledExecutorService loop;
    private final Duration sweep;
    private final Runnable pass;

    SweepLoop(String threadName, Duration sweep, Runnable pass) {
        this.loop = DaemonThreads.scheduler(threadName);
        this.sweep = sweep;
        this.pass = pass;
    }

    /** Runs {@code first} once, then the pass every sweep (at least every 50 ms apart). */
    void start(Runnable first) {
        run(first);
        long millis = Math.max(50, sweep.toMillis());
        loop.scheduleWithFixedDelay(pass, millis, millis, TimeUnit.MILLISECONDS);
    }

    void start() {
        start(() -> { });
    }

    /** Runs a pass soon. */
    void wake() {
        run(pass);
    }

    /** Runs {@code task} on the loop's thread soon; nothing once the loop is closing (the next start does it). */
    private void run(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** Stops the loop and waits briefly for a pass under way. */
    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
