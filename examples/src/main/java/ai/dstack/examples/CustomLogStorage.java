package ai.dstack.examples;

import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.EmbeddedDstackClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An embedded engine whose job logs go through a custom plug-in, {@link TeeLogStoreProvider}, which the engine finds
 * with {@link java.util.ServiceLoader} by its type name.
 *
 * <pre>java ai.dstack.examples.CustomLogStorage DATA_DIR TASK.dstack.yml</pre>
 */
public final class CustomLogStorage {
    private CustomLogStorage() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        DstackEngine.Builder engine = DstackEngine.builder().serverDirectory(Path.of(args[0])).logStorage("tee", Map.of());
        try (DstackClient dstack = EmbeddedDstackClient.start(engine)) {
            DstackProject main = dstack.project();
            RunConfiguration task = DstackYaml.parse(Files.readString(file), file.toString(), RunConfiguration.class);
            Run run = main.applyRun(main.getRunPlan(RunSpec.newBuilder().configuration(task).build()));
            Run done = main.followLogs(run.runSpec().runName(), event -> { });
            System.out.println(done.runSpec().runName() + ": " + done.status().wireValue());
        }
    }
}
