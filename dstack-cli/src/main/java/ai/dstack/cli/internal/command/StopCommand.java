package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackProject;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dstack stop RUN...}: asks runs to stop (gracefully, or at once with {@code --abort}). */
@Command(name = "stop", description = "Stop runs.")
public final class StopCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", arity = "1..*", description = "Run names.")
    List<String> runNames;

    @Option(names = {"-x", "--abort"}, description = "Stop at once, without the graceful stop period.")
    boolean abort;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    int run(DstackProject project) {
        runNames.forEach(project::getRun); // "Run not found" before anything is stopped.
        String what = String.join(", ", runNames);
        if (!yes && !Confirmation.ask(environment(), out(), (abort ? "Abort" : "Stop") + " the run " + what + "?", "-y")) {
            out().println("Cancelled");
            return ExitStatus.FAILURE;
        }
        project.stopRuns(runNames, abort);
        out().println((abort ? "Aborting " : "Stopping ") + what);
        return ExitStatus.OK;
    }
}
