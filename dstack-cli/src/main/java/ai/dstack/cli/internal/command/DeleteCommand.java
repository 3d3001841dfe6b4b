package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackProject;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dstack delete RUN...}: deletes finished runs (the server refuses active ones). */
@Command(name = "delete", description = "Delete finished runs.")
public final class DeleteCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", arity = "1..*", description = "Run names.")
    List<String> runNames;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    int run(DstackProject project) {
        runNames.forEach(project::getRun);
        String what = String.join(", ", runNames);
        if (!yes && !Confirmation.ask(environment(), out(), "Delete the run " + what + "?", "-y")) {
            out().println("Cancelled");
            return ExitStatus.FAILURE;
        }
        project.deleteRuns(runNames);
        out().println("Deleted " + what);
        return ExitStatus.OK;
    }
}
