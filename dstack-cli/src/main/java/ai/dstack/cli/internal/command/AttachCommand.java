package ai.dstack.cli.internal.command;

import ai.dstack.client.DstackProject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dstack attach RUN}: follows a run's output until it ends; exits like {@code dstack apply}. */
@Command(name = "attach", description = "Follow a run's output until it ends; Ctrl-C detaches.")
public final class AttachCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", description = "The run name.")
    String runName;

    @Override
    int run(DstackProject project) throws InterruptedException {
        project.getRun(runName); // A missing run is an error at once, not a wait.
        return new RunAttachment(project, out(), err()).follow(runName);
    }
}
