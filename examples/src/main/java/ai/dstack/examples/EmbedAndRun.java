package ai.dstack.examples;

import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The engine embedded in this JVM on a data directory: run a task on this machine and print its output. This is
 * README's "Use it from Java" example (ExamplesTest keeps the two the same).
 *
 * <pre>java ai.dstack.examples.EmbedAndRun DATA_DIR TASK.dstack.yml</pre>
 */
public final class EmbedAndRun {
    private EmbedAndRun() {}

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        Path file = Path.of(args[1]);
        // README: begin
        try (DstackClient dstack = Dstack.connect(Map.of("dstack.mode", "embedded", "dstack.server-dir", dataDir.toString()))) {
            DstackProject main = dstack.project();
            RunConfiguration task = DstackYaml.parse(Files.readString(file), file.toString(), RunConfiguration.class);
            Run run = main.applyRun(main.getRunPlan(RunSpec.newBuilder().configuration(task).build()));
            Run done = main.followLogs(run.runSpec().runName(),
                    event -> System.out.print(new String(event.messageBytes(), StandardCharsets.UTF_8)));
            System.out.println(done.runSpec().runName() + ": " + done.status().wireValue());
        }
        // README: end
    }
}
