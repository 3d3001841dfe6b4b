package ai.dstack.bench;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replicas on one PostgreSQL: N one-line tasks submitted by 4 threads to one replica, then to two (engines with their
 * own owner ids in this JVM, one embedded PostgreSQL, a fresh database each), each submission going to the next
 * replica in turn; runs/s from the first submission until every run is finished, and the ratio two/one. Each task
 * appends a line to its own file when it starts, so a job started twice shows: the bench counts them and the runs
 * that did not end {@code done}.
 *
 * <p>Run: {@code bench/run ReplicasBench [N] [blocks]} (default 300 tasks, 64 blocks of the shared local fleet).
 */
public final class ReplicasBench {
    private static final int CLIENTS = 4;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private ReplicasBench() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Runtime.getRuntime().addShutdownHook(new Thread(LimitsBench::killLeftoverJobProcesses));
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
            System.out.printf("replicas: %d tasks, %d client threads, local fleet of %d blocks, embedded PostgreSQL%n",
                    tasks, CLIENTS, blocks);
            round(postgres, 1, 30, blocks, "warm-up, not counted");
            double one = round(postgres, 1, tasks, blocks, "measured");
            double two = round(postgres, 2, tasks, blocks, "measured");
            double oneAgain = round(postgres, 1, tasks, blocks, "measured again, for the machine's drift");
            System.out.printf("replicas: two replicas / one = %.2f (one replica %.1f and %.1f runs/s, two %.1f runs/s)%n",
                    two / ((one + oneAgain) / 2), one, oneAgain, two);
        } finally {
            LimitsBench.killLeftoverJobProcesses();
        }
        System.exit(0);
    }

    /** Runs {@code count} tasks on {@code replicas} engines sharing a new database; returns runs/s. */
    static double round(EmbeddedPostgres postgres, int replicas, int count, int blocks, String label) throws Exception {
        String database = "replicas_" + DATABASES.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("CREATE DATABASE " + database);
        }
        String url = "postgresql+asyncpg://postgres:postgres@localhost:" + postgres.getPort() + "/" + database;
        Path dir = Files.createTempDirectory("dstack-bench-replicas");
        Path starts = Files.createDirectories(dir.resolve("starts"));
        // Run as root, jobs get users of their own: they must be able to write their start line.
        for (Path shared : List.of(dir, starts)) {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
        TaskConfiguration task = DstackYaml.parse("type: task\nresources:\n  cpu: 0..\n  memory: 0GB..\n"
                + "retry:\n  on_events: [no-capacity]\n  duration: 1h\ncommands:\n"
                + "  - echo started >> " + starts + "/$DSTACK_RUN_NAME\n", "bench", TaskConfiguration.class);
        List<DstackEngine> engines = new ArrayList<>();
        try {
            for (int i = 0; i < replicas; i++) {
                engines.add(DstackEngine.builder().serverDirectory(dir.resolve("server")).databaseUrl(url)
                        .localBlocks(blocks).runLimits(0, 0).build());
            }
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            long start = System.nanoTime();
            List<Future<Run>> submitted = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                DstackEngine engine = engines.get(i % replicas);
                submitted.add(pool.submit(() -> engine.applyRun(task)));
            }
            List<String> names = new ArrayList<>();
            for (Future<Run> run : submitted) {
                names.add(run.get().runSpec().runName());
            }
            pool.shutdown();
            JobProcesses.rememberRoots();
            int notDone = 0;
            for (int i = 0; i < names.size(); i++) {
                DstackEngine engine = engines.get((i + 1) % replicas); // ask another replica than the one submitted to
                Run run = engine.awaitFinished(engine.defaultProject(), names.get(i), Duration.ofMinutes(10));
                if (run.status() != RunStatus.DONE) {
                    notDone++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int twice = 0;
            int never = 0;
            for (String name : names) {
                Path file = starts.resolve(name);
                int lines = Files.exists(file) ? Files.readAllLines(file).size() : 0;
                twice += lines > 1 ? 1 : 0;
                never += lines == 0 ? 1 : 0;
            }
            System.out.printf("replicas (%s): %d replica(s), %d one-line tasks submitted and finished in %.2f s:"
                            + " %.1f runs/s; jobs started twice: %d, never: %d, runs not done: %d%n", label, replicas,
                    count, seconds, count / seconds, twice, never, notDone);
            return count / seconds;
        } finally {
            engines.forEach(DstackEngine::close);
            delete(dir);
        }
    }

    private static void delete(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
