package ai.dstack.bench;

import ai.dstack.core.DstackEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

/**
 * The queue's linearity: 200 one-line tasks, then 2,000, queued on a local fleet of few blocks (2 by default, so
 * nearly all of them wait), through the embedded engine on one SQLite file. If freeing a block cost more as the
 * queue grows, the 2,000 would drain slower; the bench prints both rates and their ratio (target: at least 80 %).
 *
 * <p>Run: {@code bench/run QueueBench [small] [large] [blocks] [database-url]} (default 200, 2000, 2, SQLite).
 */
public final class QueueBench {
    private QueueBench() {}

    public static void main(String[] args) throws Exception {
        int small = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int large = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int blocks = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        String url = args.length > 3 ? args[3] : null;
        Path dir = Files.createTempDirectory("dstack-bench-queue");
        try {
            DstackEngine.Builder builder = DstackEngine.builder().serverDirectory(dir).localBlocks(blocks)
                    .runLimits(0, 0); // no quota: the whole queue is admitted
            if (url != null) {
                builder.databaseUrl(url);
            }
            try (DstackEngine engine = builder.build()) {
                System.out.printf("queue: local fleet of %d blocks, %s%n", blocks, url == null ? "SQLite" : "PostgreSQL");
                StatementsBench.round(engine, 50, "warm-up");
                double smallRate = StatementsBench.round(engine, small, small + " queued");
                double largeRate = StatementsBench.round(engine, large, large + " queued");
                System.out.printf("queue: %d queued drain at %.1f runs/s, %d at %.1f runs/s: %.0f %% of the smaller"
                        + " queue's rate (target: at least 80 %%)%n", small, smallRate, large, largeRate,
                        100 * largeRate / smallRate);
            }
        } finally {
            LimitsBench.killLeftoverJobProcesses();
            try (var paths = Files.walk(dir)) {
                paths.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }
}
