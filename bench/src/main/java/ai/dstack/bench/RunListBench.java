package ai.dstack.bench;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.app.ServerStatistics.DatabaseWork;
import ai.dstack.server.DstackServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * What a page of {@code runs/list} (100 runs with their jobs) and a {@code runs/get} cost with few and with many runs
 * in the project: one finished one-line task is run for real, then copied row for row (run and job, new ids, names and
 * older submission times) straight into the database until the project holds N runs. Times the calls over HTTP on
 * loopback and prints p50/p99 and SQL statements per call at each size; asserts nothing. The copies are finished
 * runs, so that the engine leaves them alone: the active-only page ({@code dstack ps}) finds none among them.
 *
 * <p>Run: {@code bench/run RunListBench [sizes...] [sqlite|postgres]}, e.g. {@code bench/run RunListBench 100 100000}.
 */
public final class RunListBench {
    private static final int REQUESTS = 200;
    private static final int WARM_UP = 50;
    private static final int ACTIVE = 10;
    private static final String SLEEPER = "type: task\nresources:\n  cpu: 0..\n  memory: 0GB..\ncommands:\n  - sleep 3600\n";
    private static final String ONE_LINE = "type: task\nresources:\n  cpu: 0..\n  memory: 0GB..\ncommands:\n  - echo hi\n";
    private static final DateTimeFormatter SQLITE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private RunListBench() {}

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        String database = "sqlite";
        for (String arg : args) {
            if (arg.equals("sqlite") || arg.equals("postgres")) {
                database = arg;
            } else {
                sizes.add(Integer.parseInt(arg.replace("_", "")));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100, 100_000);
        }
        Collections.sort(sizes);
        Path dir = Files.createTempDirectory("dstack-bench-list");
        try {
            if (database.equals("sqlite")) {
                Path file = dir.resolve("data").resolve("sqlite.db");
                java.util.Properties writer = new java.util.Properties();
                writer.setProperty("busy_timeout", "60000"); // the engine writes too (its sleeping runs)
                writer.setProperty("transaction_mode", "IMMEDIATE"); // the copy's reads and writes in one snapshot
                measure("SQLite", dir, "jdbc:sqlite:" + file,
                        () -> DriverManager.getConnection("jdbc:sqlite:" + file, writer), sizes);
            } else {
                try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
                    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
                        connection.createStatement().execute("CREATE DATABASE runlist");
                    }
                    String jdbc = "jdbc:postgresql://localhost:" + postgres.getPort() + "/runlist";
                    measure("PostgreSQL", dir, "postgresql+asyncpg://postgres:postgres@localhost:" + postgres.getPort()
                            + "/runlist", () -> DriverManager.getConnection(jdbc, "postgres", "postgres"), sizes);
                }
            }
        } finally {
            JobProcesses.killAll();
            if (Boolean.getBoolean("bench.keep")) { // -Dbench.keep=true: the database stays, to look at its plans
                System.out.println("kept " + dir);
                System.exit(0);
            }
            try (var paths = Files.walk(dir)) {
                paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    @FunctionalInterface
    interface Jdbc {
        Connection open() throws Exception;
    }

    static void measure(String label, Path dir, String url, Jdbc jdbc, List<Integer> sizes) throws Exception {
        DstackEngine.Builder engine = DstackEngine.builder().serverDirectory(dir).databaseUrl(url).localBlocks(ACTIVE + 2);
        try (DstackServer server = DstackServer.builder().engine(engine).port(0).build().start()) {
            DstackEngine dstack = server.engine();
            Run template = dstack.applyRun(DstackYaml.parse(ONE_LINE, "list-bench", TaskConfiguration.class));
            dstack.awaitFinished(dstack.defaultProject(), template.runSpec().runName(), Duration.ofMinutes(2));
            // A few active runs among the finished copies, as on a server in use: what dstack ps lists.
            TaskConfiguration sleeper = DstackYaml.parse(SLEEPER, "list-bench", TaskConfiguration.class);
            List<String> sleepers = new ArrayList<>();
            for (int i = 0; i < ACTIVE; i++) {
                sleepers.add(dstack.applyRun(sleeper).runSpec().runName());
            }
            JobProcesses.rememberRoots(); // so that killAll finds the sleepers whatever ends the bench
            Api api = new Api(server.url(), dstack.adminToken());
            int runs = 1 + ACTIVE;
            for (int size : sizes) {
                try (Connection connection = jdbc.open()) {
                    runs += copy(connection, template.id(), size - runs, runs);
                }
                int total = runs;
                String name = "list-bench-copy-" + (runs / 2);
                String page = "{\"project_name\":\"main\",\"include_jobs\":true,\"limit\":100}";
                report(label, runs, "runs/list (first page of 100)", api, "/api/runs/list", i -> page, dstack);
                String active = "{\"project_name\":\"main\",\"only_active\":true,\"include_jobs\":true,\"limit\":100}";
                report(label, runs, "runs/list (active runs only, as dstack ps)", api, "/api/runs/list", i -> active, dstack);
                String deep = "{\"project_name\":\"main\",\"include_jobs\":true,\"limit\":100,\"prev_submitted_at\":\""
                        + dstack.getRun(dstack.defaultProject(), name).submittedAt() + "\"}";
                report(label, runs, "runs/list (a page in the middle)", api, "/api/runs/list", i -> deep, dstack);
                report(label, runs, "runs/get (by name)", api, "/api/project/main/runs/get",
                        i -> "{\"run_name\":\"list-bench-copy-" + (ACTIVE + 1 + i % (total - ACTIVE - 1)) + "\"}", dstack);
            }
            dstack.stopRuns(dstack.defaultProject(), sleepers, true);
        }
    }

    /** Inserts {@code count} copies of the run and its jobs, each older than the last; returns how many. */
    private static int copy(Connection connection, UUID runId, int count, int first) throws Exception {
        if (count <= 0) {
            return 0;
        }
        connection.setAutoCommit(false);
        Map<String, Object> run = row(connection, "SELECT * FROM runs WHERE id = ?", runId);
        List<Map<String, Object>> jobs = rows(connection, "SELECT * FROM jobs WHERE run_id = ?", run.get("id"));
        try (PreparedStatement runInsert = connection.prepareStatement(insert("runs", run));
                PreparedStatement jobInsert = connection.prepareStatement(insert("jobs", jobs.get(0)))) {
            for (int i = 0; i < count; i++) {
                int n = first + i;
                Map<String, Object> copy = new LinkedHashMap<>(run);
                Object id = newId(run.get("id"));
                copy.put("id", id);
                copy.put("run_name", "list-bench-copy-" + n);
                copy.put("submitted_at", earlier(run.get("submitted_at"), n));
                bind(runInsert, copy);
                runInsert.addBatch();
                for (Map<String, Object> job : jobs) {
                    Map<String, Object> jobCopy = new LinkedHashMap<>(job);
                    jobCopy.put("id", newId(job.get("id")));
                    jobCopy.put("run_id", id);
                    jobCopy.put("run_name", copy.get("run_name"));
                    jobCopy.put("submitted_at", copy.get("submitted_at"));
                    bind(jobInsert, jobCopy);
                    jobInsert.addBatch();
                }
                if (i % 5000 == 4999 || i == count - 1) {
                    runInsert.executeBatch();
                    jobInsert.executeBatch();
                    connection.commit();
                }
            }
        }
        try (var analyze = connection.createStatement()) {
            analyze.execute("ANALYZE"); // as a database that grew in use would be
            if (connection.getMetaData().getDatabaseProductName().contains("SQLite")) {
                // A second ANALYZE only rewrites sqlite_stat1, and the server's open connections keep planning with
                // the statistics they read at the first (a table of 100 runs, where scanning the jobs beats 100
                // index look-ups: 150 ms per page at 100,000). A schema change makes every connection read them
                // again, as a restarted server would.
                analyze.execute("CREATE TABLE bench_reload_statistics (x INTEGER)");
                analyze.execute("DROP TABLE bench_reload_statistics");
            }
        }
        connection.commit();
        return count;
    }

    private static Object newId(Object like) {
        UUID id = UUID.randomUUID();
        return like instanceof String ? id.toString().replace("-", "") : id;
    }

    private static Object earlier(Object time, int seconds) {
        if (time instanceof String text) {
            return LocalDateTime.parse(text, SQLITE_TIME).minusSeconds(seconds).format(SQLITE_TIME);
        }
        return Timestamp.valueOf(((Timestamp) time).toLocalDateTime().minusSeconds(seconds));
    }

    private static String insert(String table, Map<String, Object> row) {
        return "INSERT INTO " + table + " (" + String.join(", ", row.keySet()) + ") VALUES ("
                + String.join(", ", Collections.nCopies(row.size(), "?")) + ")";
    }

    private static void bind(PreparedStatement statement, Map<String, Object> row) throws Exception {
        int i = 1;
        for (Object value : row.values()) {
            statement.setObject(i++, value);
        }
    }

    private static Map<String, Object> row(Connection connection, String sql, Object id) throws Exception {
        Object key = connection.getMetaData().getDatabaseProductName().contains("SQLite")
                ? id.toString().replace("-", "") : id;
        return rows(connection, sql, key).get(0);
    }

    private static List<Map<String, Object>> rows(Connection connection, String sql, Object id) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, id);
            try (ResultSet result = statement.executeQuery()) {
                ResultSetMetaData meta = result.getMetaData();
                while (result.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= meta.getColumnCount(); c++) {
                        row.put(meta.getColumnName(c), result.getObject(c));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static void report(String label, int runs, String call, Api api, String path, IntFunction<String> body,
            DstackEngine engine) throws Exception {
        for (int i = 0; i < WARM_UP; i++) {
            api.post(path, body.apply(i));
        }
        DatabaseWork before = engine.statistics().databaseWork();
        RequestCpu cpu = RequestCpu.start();
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            String request = body.apply(i);
            long t0 = System.nanoTime();
            api.post(path, request);
            nanos.add(System.nanoTime() - t0);
        }
        DatabaseWork work = engine.statistics().databaseWork().minus(before);
        Collections.sort(nanos);
        System.out.printf("%s, %,d runs: %s, %d calls: p50 %.2f ms, p99 %.2f ms; %.1f SQL statements per call;"
                        + " CPU per call %.2f ms in the request thread, %.2f ms in the process%n",
                label, runs, call, REQUESTS, nanos.get(REQUESTS / 2 - 1) / 1e6,
                nanos.get((int) Math.ceil(REQUESTS * 0.99) - 1) / 1e6, work.statements() / (double) REQUESTS,
                cpu.requestMillisPer(REQUESTS), cpu.processMillisPer(REQUESTS));
    }

    /** dstack's protocol over the JDK's HTTP client: POST, bearer token, JSON. */
    private record Api(String url, String token, HttpClient http) {
        Api(String url, String token) {
            this(url, token, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        }

        String post(String path, String body) throws Exception {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body();
        }
    }
}
