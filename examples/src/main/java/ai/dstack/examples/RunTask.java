package ai.dstack.examples;

import ai.dstack.api.ConfigurationException;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.ApplyRunRequest;
import ai.dstack.core.DstackEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Embeds the engine, runs a task on this machine, streams its output, and exits with the task's exit code.
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl examples exec:java                                   # examples/configurations/hello.dstack.yml
 * ./mvnw -B -ntp -q -pl examples exec:java -Dexec.args="path/to/task.dstack.yml"
 * </pre>
 *
 * State and logs go to {@code $DSTACK_SERVER_DIR} (default {@code ~/.dstack/server}), as a dstack server keeps them.
 */
public final class RunTask {
    private RunTask() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args.length > 0 ? args[0] : "configurations/hello.dstack.yml");
        RunConfiguration configuration;
        try {
            configuration = DstackYaml.parse(Files.readString(file), file.toString(), RunConfiguration.class);
        } catch (ConfigurationException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        DstackEngine.Builder builder = DstackEngine.builder();
        String serverDir = System.getenv("DSTACK_SERVER_DIR");
        if (serverDir != null && !serverDir.isBlank()) {
            builder.serverDirectory(Path.of(serverDir));
        }
        try (DstackEngine engine = builder.build()) {
            // A name in the file makes re-runs replace the finished run of that name, as `dstack apply` does.
            Run run = engine.applyRun(engine.defaultProject(), ApplyRunRequest.of(RunSpec.newBuilder()
                    .configuration(configuration).configurationPath(file.toString()).build()));
            String name = run.runSpec().runName();
            System.out.println("Submitted run " + name + " to the local fleet");
            // The output as it comes, until the run finishes.
            engine.followLogs(name, event -> System.out.print(new String(event.messageBytes(), StandardCharsets.UTF_8)));
            run = engine.awaitFinished(name, Duration.ofHours(24));
            Integer exit = run.jobs().get(0).latestSubmission().exitStatus();
            System.out.println("Run " + name + " " + run.status().wireValue()
                    + (exit == null ? "" : " (exit code " + exit + ")"));
            System.exit(exit == null ? 1 : exit);
        }
    }
}
