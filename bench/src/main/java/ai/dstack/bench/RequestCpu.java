package ai.dstack.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time spent by this JVM and by the server's request threads (Jetty's pool) between two readings: what a call
 * costs, which the machine's load does not change the way it changes wall time. The process figure also holds the
 * bench's own HTTP client and the engine's loops; the request threads' figure is the server's work alone.
 */
final class RequestCpu {
    private static final String REQUEST_THREADS = "JettyServerThreadPool";

    private final long processStart;
    private final long requestThreadsStart;

    private RequestCpu(long processStart, long requestThreadsStart) {
        this.processStart = processStart;
        this.requestThreadsStart = requestThreadsStart;
    }

    static RequestCpu start() {
        return new RequestCpu(processNanos(), requestThreadsNanos());
    }

    /** Milliseconds of process CPU per call since {@link #start()}. */
    double processMillisPer(int calls) {
        return (processNanos() - processStart) / 1e6 / calls;
    }

    /** Milliseconds of the request threads' CPU per call since {@link #start()} (a thread that ended is not counted). */
    double requestMillisPer(int calls) {
        return (requestThreadsNanos() - requestThreadsStart) / 1e6 / calls;
    }

    private static long processNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long requestThreadsNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(REQUEST_THREADS)) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }
}
