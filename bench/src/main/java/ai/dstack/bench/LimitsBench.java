package ai.dstack.bench;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The server's limits, measured: one replica holds N active runs (sleeping tasks on the local fleet) on SQLite and
 * on PostgreSQL (embedded), and the REST API is timed over real HTTP on loopback while they run:
 * {@code POST /api/runs/list} (a page of 100 runs with their jobs), {@code POST /api/project/main/runs/get} and
 * {@code runs/apply} (each call a new sleeping task).
 * Prints the engine's heap per active run and the latencies; asserts nothing.
 *
 * <p>Run: {@code bench/run LimitsBench 1000} (arguments: N, then {@code sqlite}, {@code postgres} or {@code both},
 * the default).
 */
public final class LimitsBench {
    private static final int REQUESTS = 300;
    private static final int WARM_UP = 30;
    private static final int STOP_BATCH = 100;
    private static final String SLEEPER = "type: task\nresources:\n  cpu: 0..\n  memory: 0GB..\ncommands:\n  - sleep 3600\n";

    private LimitsBench() {}

    public static void main(String[] args) throws Exception {
        int wanted = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String which = args.length > 1 ? args[1] : "both";
        // runs/apply adds REQUESTS + WARM_UP sleeping runs of its own while the others run.
        int active = Math.max(1, HostCapacity.measure().activeJobsAtMost(wanted + REQUESTS + WARM_UP) - REQUESTS - WARM_UP);
        active = Math.min(active, wanted);
        // Every job process this JVM started goes with it, whatever ends the bench (an exception, Ctrl-C).
        Runtime.getRuntime().addShutdownHook(new Thread(LimitsBench::killLeftoverJobProcesses));
        System.out.printf("machine: %d CPUs, max heap %d MiB; %d active runs per replica%s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, active,
                active < wanted ? " (" + wanted + " asked; the host's limits above allow " + active + ")" : "");
        if (!which.equals("postgres")) {
            Path dir = Files.createTempDirectory("dstack-limits-sqlite");
            measure("SQLite", dir, "jdbc:sqlite:" + dir.resolve("data").resolve("sqlite.db"), active);
        }
        if (!which.equals("sqlite")) {
            try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
                try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
                    connection.createStatement().execute("CREATE DATABASE limits");
                }
                measure("PostgreSQL", Files.createTempDirectory("dstack-limits-postgres"),
                        "postgresql+asyncpg://postgres:postgres@localhost:" + postgres.getPort() + "/limits", active);
            }
        }
        System.exit(0);
    }

    static void measure(String label, Path dir, String url, int active) throws Exception {
        DstackEngine.Builder engine = DstackEngine.builder().serverDirectory(dir).databaseUrl(url)
                .runLimits(0, 0) // no quota: more active runs than a user may have by default
                .localBlocks(active + REQUESTS + WARM_UP + 10); // room for the runs runs/apply adds
        try (DstackServer server = DstackServer.builder().engine(engine).port(0).build().start()) {
            DstackEngine dstack = server.engine();
            Api api = new Api(server.url(), dstack.adminToken());
            api.post("/api/runs/list", "{\"project_name\":\"main\",\"limit\":1}"); // warm up the server
            long heapBefore = usedHeapAfterGc();
            long start = System.nanoTime();
            List<String> names = submit(dstack, active);
            awaitAllRunning(dstack, names);
            JobProcesses.rememberRoots();
            double startSeconds = (System.nanoTime() - start) / 1e9;
            long heapAfter = usedHeapAfterGc();
            System.out.printf("%s: %d runs submitted and running in %.1f s; heap %+.1f MiB, %.1f KiB per active run;"
                            + " process RSS %d MiB%n", label, active, startSeconds,
                    (heapAfter - heapBefore) / 1048576.0, (heapAfter - heapBefore) / 1024.0 / active, rssMiB());

            idleCost(label, active);

            String list = "{\"project_name\":\"main\",\"only_active\":false,\"include_jobs\":true,\"limit\":100}";
            report(label, "runs/list (100 runs)", api.time("/api/runs/list", i -> list, dstack));
            report(label, "runs/get", api.time("/api/project/main/runs/get",
                    i -> "{\"run_name\":\"" + names.get(i % names.size()) + "\"}", dstack));
            String apply = DstackJson.mapper().writeValueAsString(Map.of("plan", Map.of("run_spec",
                    RunSpec.newBuilder().configuration(DstackYaml.parse(SLEEPER, "limits", TaskConfiguration.class))
                            .build()), "force", false));
            report(label, "runs/apply (a new sleeping task)", api.time("/api/project/main/runs/apply", i -> apply, dstack));
            java.util.Set<String> known = new java.util.HashSet<>(names);
            names.addAll(RunPages.all(dstack, dstack.defaultProject()).stream().map(run -> run.runSpec().runName())
                    .filter(name -> !known.contains(name)).toList()); // aborted with the others below

            // As `dstack stop` does with several names: one runs/stop call per batch of names.
            long stopStart = System.nanoTime();
            for (int from = 0; from < names.size(); from += STOP_BATCH) {
                dstack.stopRuns(dstack.defaultProject(), names.subList(from, Math.min(names.size(), from + STOP_BATCH)),
                        true);
            }
            double stopSeconds = (System.nanoTime() - stopStart) / 1e9;
            for (String name : names) {
                dstack.awaitFinished(name, Duration.ofMinutes(30));
            }
            System.out.printf("%s: %d runs aborted (runs/stop calls of %d names: %.1f s) and finished in %.1f s%n",
                    label, names.size(), STOP_BATCH, stopSeconds, (System.nanoTime() - stopStart) / 1e9);
        } finally {
            killLeftoverJobProcesses();
            delete(dir);
        }
    }

    /**
     * What holding the runs costs while nothing happens to them: this JVM's CPU (the loops' sweeps, the log pump, the
     * exit watcher) and the whole machine's (the jobs' supervisors, the kernel), over 20 s with no request.
     */
    static void idleCost(String label, int active) throws Exception {
        long[] machineBefore = machineTicks();
        long jvmBefore = processCpuNanos();
        long start = System.nanoTime();
        Thread.sleep(20_000);
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] machineAfter = machineTicks();
        double busy = (machineAfter[0] - machineBefore[0]) / (double) (machineAfter[1] - machineBefore[1]);
        System.out.printf("%s: while %d runs sleep (%.0f s, no requests): this JVM %.1f %% of a core, the machine's %d"
                        + " CPUs %.1f %% busy%n", label, active, seconds,
                (processCpuNanos() - jvmBefore) / 1e7 / seconds, Runtime.getRuntime().availableProcessors(), busy * 100);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The busy and total ticks of all CPUs so far, from /proc/stat's first line (iowait and idle count as not busy). */
    private static long[] machineTicks() throws IOException {
        String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        long idle = 0;
        for (int i = 1; i < fields.length && i <= 8; i++) {
            long value = Long.parseLong(fields[i]);
            total += value;
            if (i == 4 || i == 5) {
                idle += value;
            }
        }
        return new long[] {total - idle, total};
    }

    /** Kills what is left of the jobs this JVM started: after the aborts there should be none. */
    static void killLeftoverJobProcesses() {
        JobProcesses.killAll();
    }

    private static List<String> submit(DstackEngine engine, int count) throws Exception {
        TaskConfiguration sleeper = DstackYaml.parse(SLEEPER, "limits", TaskConfiguration.class);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Run>> runs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            runs.add(pool.submit(() -> engine.applyRun(sleeper)));
        }
        List<String> names = new ArrayList<>();
        for (Future<Run> run : runs) {
            names.add(run.get().runSpec().runName());
        }
        pool.shutdown();
        return names;
    }

    private static void awaitAllRunning(DstackEngine engine, List<String> names) throws InterruptedException {
        // Each check reads every run: every 2 s so that the check does not slow down what it measures.
        long running;
        while ((running = RunPages.all(engine, engine.defaultProject()).stream()
                .filter(r -> r.status() == RunStatus.RUNNING).count()) < names.size()) {
            System.out.printf("  %d of %d running%n", running, names.size());
            JobProcesses.rememberRoots();
            Thread.sleep(2000);
        }
    }

    /** The calls' wall times, and what they cost: SQL statements and CPU per call (see {@link RequestCpu}). */
    private record Timing(List<Long> nanos, double statements, double requestCpuMillis, double processCpuMillis) {}

    private static void report(String label, String call, Timing timing) {
        List<Long> nanos = new ArrayList<>(timing.nanos());
        Collections.sort(nanos);
        System.out.printf("%s: %s over HTTP, %d calls: p50 %.2f ms, p99 %.2f ms, max %.2f ms; %.1f SQL statements"
                        + " per call (the engine's loops included); CPU per call %.2f ms in the request thread, %.2f ms"
                        + " in the process%n", label, call, nanos.size(), percentile(nanos, 50), percentile(nanos, 99),
                nanos.get(nanos.size() - 1) / 1e6, timing.statements(), timing.requestCpuMillis(),
                timing.processCpuMillis());
    }

    private static double percentile(List<Long> sorted, int p) {
        int index = Math.max(0, (int) Math.ceil(sorted.size() * p / 100.0) - 1);
        return sorted.get(index) / 1e6;
    }

    /** dstack's protocol over the JDK's HTTP client: POST, bearer token, JSON. */
    private record Api(String url, String token, HttpClient http) {
        Api(String url, String token) {
            this(url, token, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        }

        String post(String path, String body) throws IOException, InterruptedException {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        }

        Timing time(String path, java.util.function.IntFunction<String> body, DstackEngine engine) throws Exception {
            for (int i = 0; i < WARM_UP; i++) {
                post(path, body.apply(i));
            }
            var before = engine.statistics().databaseWork();
            RequestCpu cpu = RequestCpu.start();
            List<Long> nanos = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                String request = body.apply(i);
                long t0 = System.nanoTime();
                post(path, request);
                nanos.add(System.nanoTime() - t0);
            }
            double statements = engine.statistics().databaseWork().minus(before).statements() / (double) REQUESTS;
            return new Timing(nanos, statements, cpu.requestMillisPer(REQUESTS), cpu.processMillisPer(REQUESTS));
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
            }
        }
        return -1;
    }

    private static void delete(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
