package ai.dstack.bench;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.app.ServerStatistics.DatabaseWork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * SQL statements and write transactions per run: N one-line tasks submitted by 4 threads through the embedded
 * engine, counted by the store from the first submission until the engine falls quiet (no statement for a second,
 * so the bench's own polling is not counted), then checked: all done. A cold round, then a warm one.
 *
 * <p>Run: {@code bench/run StatementsBench [N] [blocks] [database-url]} (blocks below N: the tasks queue).
 */
public final class StatementsBench {
    /** One block each; a task that finds no free block waits for one (retry on no-capacity), as a queue does. */
    private static final String SMALL = "resources:\n  cpu: 0..\n  memory: 0GB..\n"
            + "retry:\n  on_events: [no-capacity]\n  duration: 1h\n";

    private StatementsBench() {}

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        // Blocks of the local fleet: fewer than the tasks make them queue, as on a small server (one block per CPU).
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : Math.max(64, tasks);
        String url = args.length > 2 ? args[2] : null;
        Path dir = Files.createTempDirectory("dstack-bench-statements");
        try {
            DstackEngine.Builder builder = DstackEngine.builder().serverDirectory(dir).localBlocks(blocks)
                .runLimits(0, 0); // no quota: more active runs than a user may have by default
            if (url != null) {
                builder.databaseUrl(url);
            }
            try (DstackEngine engine = builder.build()) {
                System.out.printf("local fleet: %d blocks%n", blocks);
                round(engine, 20, "warm-up");
                round(engine, tasks, "cold");
                round(engine, tasks, "warm");
            }
        } finally {
            delete(dir);
        }
        System.exit(0);
    }

    /** Returns runs/s. */
    static double round(DstackEngine engine, int count, String label) throws Exception {
        ExecutorService submitters = Executors.newFixedThreadPool(4);
        DatabaseWork before = engine.statistics().databaseWork();
        long start = System.nanoTime();
        List<Future<Run>> submitted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            submitted.add(submitters.submit(() -> engine.applyRun(task("echo task " + n))));
        }
        List<String> names = new ArrayList<>();
        for (Future<Run> run : submitted) {
            names.add(run.get().runSpec().runName());
        }
        submitters.shutdown();
        Quiet quiet = awaitQuiet(engine);
        DatabaseWork used = quiet.statistics().minus(before);
        double seconds = (quiet.since() - start) / 1e9;
        int done = 0;
        for (String name : names) {
            if (engine.getRun(engine.defaultProject(), name).status() == RunStatus.DONE) {
                done++;
            }
        }
        System.out.printf("statements (%s): %d one-line tasks, %d done in %.2f s (%.1f runs/s); %.1f SQL statements"
                + " and %.1f write transactions per run (%d and %d in all)%n", label, count, done, seconds, count / seconds,
                used.statements() / (double) count, used.writeTransactions() / (double) count, used.statements(),
                used.writeTransactions());
        return count / seconds;
    }

    /** The store's counts when it fell quiet, and when that was. */
    private record Quiet(DatabaseWork statistics, long since) {}

    /** The store's counts once nothing was sent for a second: the engine has finished what it had to do. */
    private static Quiet awaitQuiet(DstackEngine engine) throws InterruptedException {
        DatabaseWork last = engine.statistics().databaseWork();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < 1_000_000_000L) {
            Thread.sleep(50);
            DatabaseWork now = engine.statistics().databaseWork();
            if (!now.equals(last)) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
        return new Quiet(last, quietSince);
    }

    private static TaskConfiguration task(String commands) {
        return DstackYaml.parse("type: task\n" + SMALL + "commands:\n  - " + commands + "\n", "bench", TaskConfiguration.class);
    }

    private static void delete(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
