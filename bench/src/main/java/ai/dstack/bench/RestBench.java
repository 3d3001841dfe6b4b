package ai.dstack.bench;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import ai.dstack.core.app.ServerStatistics.DatabaseWork;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One-line tasks end to end through the REST API, the way a user submits: {@code dstack server} in this JVM on a
 * loopback port, 4 client threads each sending {@code runs/apply} (one task per call, keep-alive), then one client
 * polling {@code runs/list} (active runs, a page of 100) until none is left. Prints runs/s, the apply latency and the
 * store's statements and write transactions per run (the polling included, as a server sees it). A cold round, then a
 * warm one on the same server. Each round also prints the CPU it cost per run by component ({@link CpuMeter}): the
 * client, the server's threads by name, the JVM's own, and the job processes (measured in a cgroup when run as root).
 *
 * <p>Run: {@code bench/run RestBench [N] [blocks] [database-url]} (default 200 tasks, 64 blocks, SQLite).
 */
public final class RestBench {
    private static final int CLIENTS = 4;

    private RestBench() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        String url = args.length > 2 ? args[2] : null;
        Path dir = Files.createTempDirectory("dstack-bench-rest");
        DstackEngine.Builder engine = DstackEngine.builder().serverDirectory(dir).localBlocks(blocks)
                .runLimits(0, 0); // no quota: more active runs than a user may have by default
        if (url != null) {
            engine.databaseUrl(url);
        }
        CpuMeter cpu = CpuMeter.start();
        try (DstackServer server = DstackServer.builder().engine(engine).port(0).build().start()) {
            System.out.printf("REST: %d client threads, local fleet of %d blocks, %s%n", CLIENTS, blocks,
                    url == null ? "SQLite" : url.replaceAll("//[^@]*@", "//"));
            round(server, 20, "warm-up", cpu);
            round(server, tasks, "cold", cpu);
            round(server, tasks, "warm", cpu);
        } finally {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    static void round(DstackServer server, int count, String label, CpuMeter cpu) throws Exception {
        DstackEngine engine = server.engine();
        String body = applyBody();
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        }
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS,
                task -> new Thread(task, "bench-client-" + threads.incrementAndGet()));
        DatabaseWork before = engine.statistics().databaseWork();
        CpuMeter.Snapshot cpuBefore = cpu.snapshot();
        long start = System.nanoTime();
        List<Future<List<Long>>> latencies = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            HttpClient http = clients.get(c);
            int share = count / CLIENTS + (c < count % CLIENTS ? 1 : 0);
            latencies.add(pool.submit(() -> {
                List<Long> nanos = new ArrayList<>();
                for (int i = 0; i < share; i++) {
                    long t0 = System.nanoTime();
                    post(http, server, engine, "/api/project/main/runs/apply", body);
                    nanos.add(System.nanoTime() - t0);
                }
                return nanos;
            }));
        }
        List<Long> applies = new ArrayList<>();
        for (Future<List<Long>> future : latencies) {
            applies.addAll(future.get());
        }
        pool.shutdown();
        long submitted = System.nanoTime();
        String list = "{\"project_name\":\"main\",\"only_active\":true,\"include_jobs\":true,\"limit\":100}";
        while (DstackJson.mapper().readTree(post(clients.get(0), server, engine, "/api/runs/list", list)).size() > 0) {
            Thread.sleep(20);
        }
        long end = System.nanoTime();
        CpuMeter.Snapshot cpuAfter = cpu.snapshot();
        DatabaseWork used = engine.statistics().databaseWork().minus(before);
        Collections.sort(applies);
        double seconds = (end - start) / 1e9;
        System.out.printf("REST (%s): %d one-line tasks submitted and done in %.2f s: %.1f runs/s (submission alone"
                        + " %.0f runs/s); runs/apply p50 %.1f ms, p99 %.1f ms; %.1f statements and %.1f write"
                        + " transactions per run%n", label, count, seconds, count / seconds,
                count / ((submitted - start) / 1e9), applies.get(applies.size() / 2) / 1e6,
                applies.get(Math.max(0, (int) Math.ceil(applies.size() * 0.99) - 1)) / 1e6,
                used.statements() / (double) count, used.writeTransactions() / (double) count);
        // The client: the bench's threads and the JDK HttpClient's (its selector and the executor it hands bodies to).
        cpu.report(cpuBefore, cpuAfter, count, name -> name.equals("main") || name.startsWith("bench-client-")
                || name.startsWith("HttpClient-"));
    }

    /** runs/apply with a new one-line task (no name: the server generates one), as dstack's CLI sends it. */
    private static String applyBody() throws IOException {
        TaskConfiguration task = DstackYaml.parse("type: task\nresources:\n  cpu: 0..\n  memory: 0GB..\n"
                + "retry:\n  on_events: [no-capacity]\n  duration: 1h\ncommands:\n  - echo hi\n", "bench",
                TaskConfiguration.class);
        RunSpec spec = RunSpec.newBuilder().configuration(task).build();
        return DstackJson.mapper().writeValueAsString(Map.of("plan", Map.of("run_spec", spec), "force", false));
    }

    private static String post(HttpClient http, DstackServer server, DstackEngine engine, String path, String body)
            throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Authorization", "Bearer " + engine.adminToken()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
