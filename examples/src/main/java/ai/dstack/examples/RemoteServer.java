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

/**
 * Drives a dstack server (this project's or dstack's own) with the remote client: submit a task, stream its output,
 * then list the project's runs. Needs only {@code ai.dstack:dstack-client}.
 *
 * <pre>java ai.dstack.examples.RemoteServer http://127.0.0.1:3000 TOKEN TASK.dstack.yml</pre>
 */
public final class RemoteServer {
    private RemoteServer() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[2]);
        try (DstackClient dstack = Dstack.remote(args[0], args[1], "main")) {
            System.out.println("Connected to dstack " + dstack.serverInfo().serverVersion() + " at " + args[0]);
            DstackProject main = dstack.project();
            RunConfiguration task = DstackYaml.parse(Files.readString(file), file.toString(), RunConfiguration.class);
            Run run = main.applyRun(main.getRunPlan(RunSpec.newBuilder().configuration(task).build()));
            Run done = main.followLogs(run.runSpec().runName(),
                    event -> System.out.print(new String(event.messageBytes(), StandardCharsets.UTF_8)));
            System.out.println(done.runSpec().runName() + ": " + done.status().wireValue());
            for (Run each : main.listRuns()) {
                System.out.println("run " + each.runSpec().runName() + " " + each.status().wireValue());
            }
        }
    }
}
