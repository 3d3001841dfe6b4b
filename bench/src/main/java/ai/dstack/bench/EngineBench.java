package ai.dstack.bench;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.LocalHost;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.api.logs.PollLogsRequest;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures the embedded engine on this machine and prints the numbers:
 * <ol>
 *   <li>throughput: N one-line tasks submitted at once, until all are done and their logs stored; a cold round (the
 *   JIT still compiling the engine), then a warm one on the same engine;</li>
 *   <li>with M sleeping runs active: submit → running latency (p50/p99) and the engine's heap per active run.</li>
 * </ol>
 * Run: {@code bench/run EngineBench [200 1000 [database-url]]}.
 * Each part uses a fresh temporary server directory (and a SQLite file there unless a database URL is given).
 */
public final class EngineBench {
    private EngineBench() {}

    private static final String SMALL = "resources:\n  cpu: 0..\n  memory: 0GB..\n";

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int active = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        String url = args.length > 2 ? args[2] : null;
        System.out.printf("machine: %d CPUs, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        hostStarts(tasks);
        throughput(tasks, url);
        latencyUnderLoad(active, url);
        System.exit(0);
    }

    private static DstackEngine engine(Path dir, String url, int blocks) {
        DstackEngine.Builder builder = DstackEngine.builder().serverDirectory(dir).localBlocks(blocks)
                .runLimits(0, 0); // no quota: more active runs than a user may have by default
        if (url != null) {
            builder.databaseUrl(url);
        }
        return builder.build();
    }

    private static TaskConfiguration task(String commands) {
        return DstackYaml.parse("type: task\n" + SMALL + "commands:\n  - " + commands + "\n", "bench", TaskConfiguration.class);
    }

    /** The floor under everything else: how fast this machine starts and reaps detached job processes. */
    static void hostStarts(int count) throws Exception {
        Path dir = Files.createTempDirectory("dstack-bench-host");
        try (HostExecutor host = LocalHost.executor(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(6, runnable -> {
                Thread thread = new Thread(runnable, "starter");
                thread.setDaemon(true);
                return thread;
            });
            long start = System.nanoTime();
            List<Future<JobHandle>> started = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                started.add(pool.submit(() -> host.start(JobLaunch.of("job-" + n, List.of("echo hi")))));
            }
            List<CompletableFuture<?>> finished = new ArrayList<>();
            for (Future<JobHandle> handle : started) {
                finished.add(host.onFinished(handle.get()).toCompletableFuture());
            }
            long startedAt = System.nanoTime();
            CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new)).get();
            long end = System.nanoTime();
            pool.shutdown();
            System.out.printf("host: %d detached jobs started in %.2f s (%.0f/s), all exited after %.2f s (%.1f jobs/s)%n",
                    count, (startedAt - start) / 1e9, count / ((startedAt - start) / 1e9), (end - start) / 1e9,
                    count / ((end - start) / 1e9));
        } finally {
            delete(dir);
        }
    }

    static void throughput(int count, String url) throws Exception {
        Path dir = Files.createTempDirectory("dstack-bench-throughput");
        try (DstackEngine engine = engine(dir, url, Math.max(64, count))) {
            engine.applyRun(task("echo warm-up")); // class loading and the database
            // The first round includes the JIT compiling the engine; the second is what a running server does.
            throughputRound(engine, count, "cold");
            throughputRound(engine, count, "warm");
        } finally {
            delete(dir);
        }
    }

    private static void throughputRound(DstackEngine engine, int count, String label) throws Exception {
        ExecutorService submitters = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "submitter");
            thread.setDaemon(true);
            return thread;
        });
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        List<Future<Run>> submitted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            submitted.add(submitters.submit(() -> engine.applyRun(task("echo task " + n))));
        }
        List<String> names = new ArrayList<>();
        for (Future<Run> run : submitted) {
            names.add(run.get().runSpec().runName());
        }
        long submittedAt = System.nanoTime();
        int done = 0;
        for (String name : names) {
            Run run = engine.awaitFinished(name, Duration.ofMinutes(10));
            if (run.status() == RunStatus.DONE && !engine.pollLogs(engine.defaultProject(), PollLogsRequest.newBuilder(name,
                    run.latestJobSubmission().id()).build()).logs().isEmpty()) {
                done++;
            }
        }
        long end = System.nanoTime();
        long cpu = processCpuNanos() - cpuStart;
        submitters.shutdown();
        double seconds = (end - start) / 1e9;
        System.out.printf("throughput (%s): %d one-line tasks, %d done with logs stored, %.2f s end to end,"
                + " %.1f tasks/s (submission alone %.0f runs/s); engine JVM CPU %.1f ms per task%n", label, count,
                done, seconds, count / seconds, count / ((submittedAt - start) / 1e9), cpu / 1e6 / count);
    }

    static void latencyUnderLoad(int active, String url) throws Exception {
        Path dir = Files.createTempDirectory("dstack-bench-active");
        List<String> sleepers = new ArrayList<>();
        try (DstackEngine engine = engine(dir, url, active + 200)) {
            long heapBefore = usedHeapAfterGc();
            for (int i = 0; i < active; i++) {
                sleepers.add(engine.applyRun(task("sleep 3600")).runSpec().runName());
            }
            for (String name : sleepers) {
                while (engine.getRun(engine.defaultProject(), name).status() != RunStatus.RUNNING) {
                    Thread.sleep(5);
                }
            }
            long heapAfter = usedHeapAfterGc();
            System.out.printf("active: %d sleeping runs running; engine heap %+.1f MiB, %.1f KiB per active run%n",
                    active, (heapAfter - heapBefore) / 1048576.0, (heapAfter - heapBefore) / 1024.0 / active);
            List<Long> latencies = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                long t0 = System.nanoTime();
                String name = engine.applyRun(task("sleep 3600")).runSpec().runName();
                while (engine.getRun(engine.defaultProject(), name).status() != RunStatus.RUNNING) {
                    Thread.onSpinWait();
                }
                latencies.add(System.nanoTime() - t0);
                sleepers.add(name);
            }
            Collections.sort(latencies);
            System.out.printf("latency with %d active runs: submit -> running p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    active, latencies.get(49) / 1e6, latencies.get(98) / 1e6, latencies.get(99) / 1e6);
            long abortStart = System.nanoTime();
            for (String name : sleepers) {
                engine.stopRuns(engine.defaultProject(), java.util.List.of(name), true);
            }
            for (String name : sleepers) {
                engine.awaitFinished(name, Duration.ofMinutes(5));
            }
            System.out.printf("abort: %d runs aborted and finished in %.2f s%n", sleepers.size(),
                    (System.nanoTime() - abortStart) / 1e9);
        } finally {
            delete(dir);
        }
    }

    /** CPU time of this JVM (not of the job processes it starts): less disturbed by other load than wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void delete(Path dir) throws IOException {
        if (Boolean.getBoolean("bench.keep")) { // to read the database and job files afterwards
            System.out.println("kept " + dir);
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
