package ai.dstack.core.internal.host;

import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.HostJobState;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that completes the futures of watched jobs when they end. Wrappers announce an exit by creating
 * {@code .exited/<job id>}; a {@link WatchService} (inotify) on that directory wakes the thread within milliseconds.
 * A sweep every few seconds re-reads the watched jobs' status to catch what no file announces: a wrapper that died
 * without writing its exit code. With thousands of jobs the sweep comes less often, so that it reads at most about
 * 500 statuses a second: ten thousand sleeping jobs would otherwise keep a core busy to catch a rare event.
 */
final class ExitWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExitWatcher.class);
    private static final long SWEEP_MILLIS = 2_000;
    private static final long SWEEP_MILLIS_PER_JOB = 2;
    private static final long POLL_MILLIS_WITHOUT_WATCH_SERVICE = 250;

    private final Path exitedDir;
    private final Function<JobHandle, HostJobState> statusOf;
    private final Map<String, CompletableFuture<HostJobState>> watched = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();
    private Thread thread;
    private WatchService watchService;
    private volatile boolean closed;

    ExitWatcher(Path exitedDir, Function<JobHandle, HostJobState> statusOf) {
        this.exitedDir = exitedDir;
        this.statusOf = statusOf;
    }

    /** A future completed with the job's final status; checked at once, since the job may already be over. */
    CompletableFuture<HostJobState> watch(JobHandle job) {
        CompletableFuture<HostJobState> future = watched.computeIfAbsent(job.jobId(), id -> new CompletableFuture<>());
        startIfNeeded();
        check(job.jobId());
        return future.copy();
    }

    private void startIfNeeded() {
        synchronized (lifecycle) {
            if (thread != null || closed) {
                return;
            }
            try {
                watchService = FileSystems.getDefault().newWatchService();
                exitedDir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE);
            } catch (IOException e) {
                LOG.warn("Cannot watch {} ({}); checking watched jobs every {} ms instead", exitedDir, e.getMessage(),
                        POLL_MILLIS_WITHOUT_WATCH_SERVICE);
                watchService = null;
            }
            thread = new Thread(this::run, "dstack-host-exit-watcher");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run() {
        long lastSweep = System.nanoTime();
        while (!closed) {
            try {
                if (watchService == null) {
                    Thread.sleep(POLL_MILLIS_WITHOUT_WATCH_SERVICE);
                    sweep();
                    continue;
                }
                WatchKey key = watchService.poll(SWEEP_MILLIS, TimeUnit.MILLISECONDS);
                if (key != null) {
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                            sweep();
                        } else if (event.context() instanceof Path name) {
                            check(name.toString());
                        }
                    }
                    key.reset();
                }
                long sweepMillis = Math.max(SWEEP_MILLIS, watched.size() * SWEEP_MILLIS_PER_JOB);
                if (System.nanoTime() - lastSweep > TimeUnit.MILLISECONDS.toNanos(sweepMillis)) {
                    sweep();
                    lastSweep = System.nanoTime();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("Unhandled exception while watching job exits. Will keep running.", e);
            }
        }
    }

    private void sweep() {
        watched.keySet().forEach(this::check);
    }

    private void check(String jobId) {
        CompletableFuture<HostJobState> future = watched.get(jobId);
        if (future == null) {
            return;
        }
        HostJobState status = statusOf.apply(new JobHandle(jobId));
        if (status.isFinal() && watched.remove(jobId, future)) {
            future.complete(status);
        }
    }

    /** Stops the thread; futures not completed yet are cancelled, so nobody waits for them forever. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
            watched.values().forEach(future -> future.cancel(false));
            watched.clear();
            if (thread != null) {
                thread.interrupt();
            }
            if (watchService != null) {
                try {
                    watchService.close();
                } catch (IOException e) {
                    LOG.debug("Closing the watch service of {} failed", exitedDir, e);
                }
            }
        }
    }
}
