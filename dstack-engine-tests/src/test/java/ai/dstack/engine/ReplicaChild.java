package ai.dstack.engine;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.spi.logs.LogQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A replica in its own JVM, for tests that kill it with SIGKILL: submits {@code count} copies of the task given as
 * YAML, prints {@code RUN <name>} for each once it runs and has logged, then {@code READY}, and waits to be killed.
 * Arguments: server directory, database URL, count, task YAML with {@code \n} for newlines, lease in milliseconds.
 */
public final class ReplicaChild {
    private ReplicaChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String url = args[1];
        int count = Integer.parseInt(args[2]);
        String yaml = args[3].replace("\\n", "\n");
        Duration lease = Duration.ofMillis(Long.parseLong(args[4]));
        DstackEngine engine = DstackEngine.builder().serverDirectory(dir).databaseUrl(url).localBlocks(64)
                .leaseDuration(lease).keepFinishedJobFiles(true).build(); // the test counts job directories
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(engine.applyRun(DstackYaml.parse(yaml, "child.yml", TaskConfiguration.class)).runSpec().runName());
        }
        for (String name : names) {
            while (!engine.getRun(engine.defaultProject(), name).status().isFinished() && (engine.getRun(engine.defaultProject(), name).status() != RunStatus.RUNNING
                    || engine.pollLogs(engine.defaultProject(), name).logs().isEmpty())) {
                Thread.sleep(20);
            }
            System.out.println("RUN " + name);
        }
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
