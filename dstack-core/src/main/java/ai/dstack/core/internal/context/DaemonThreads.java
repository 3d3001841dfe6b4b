package ai.dstack.core.internal.context;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/** The engine's background threads: named (they show so in thread dumps) and daemons (they never keep a JVM alive). */
public final class DaemonThreads {
    private DaemonThreads() {
    }

    /** Threads all called {@code name}. */
    public static ThreadFactory named(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One background thread that runs scheduled work, called {@code name}. */
    public static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(named(name));
    }

    /** A fixed pool of {@code threads} background threads, called {@code name}. */
    public static ExecutorService pool(int threads, String name) {
        return Executors.newFixedThreadPool(threads, named(name));
    }
}
