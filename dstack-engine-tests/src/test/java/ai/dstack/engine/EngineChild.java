package ai.dstack.engine;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.spi.logs.LogQuery;
import java.nio.file.Path;

/**
 * An engine in its own JVM, for tests that kill it with SIGKILL: submits the task given as YAML, prints
 * {@code RUN <name>} once the task has written its first line, then waits to be killed.
 */
public final class EngineChild {
    private EngineChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String url = args[1];
        String yaml = args[2].replace("\\n", "\n");
        DstackEngine engine = DstackEngine.builder().serverDirectory(dir).databaseUrl(url).localBlocks(8).build();
        Run run = engine.applyRun(DstackYaml.parse(yaml, "child.yml", TaskConfiguration.class));
        String name = run.runSpec().runName();
        while (engine.getRun(engine.defaultProject(), name).status() != RunStatus.RUNNING
                || engine.pollLogs(engine.defaultProject(), name).logs().isEmpty()) {
            Thread.sleep(20);
        }
        System.out.println("RUN " + name);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
