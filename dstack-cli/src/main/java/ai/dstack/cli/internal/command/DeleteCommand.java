package ai.dstack.cli.internal.command;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackProject;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dstack delete RUN...} or {@code -f FILE}: deletes finished runs (the server refuses active ones). */
@Command(name = "delete", description = "Delete finished runs.")
public final class DeleteCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", arity = "0..*", description = "Run names.")
    List<String> runNames = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Delete the run the configuration file names.")
    String file;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    int run(DstackProject project) {
        List<String> names = new ArrayList<>(runNames);
        if (file != null) {
            String name = RunFile.runName(file, err(), "delete");
            try {
                project.getRun(name);
            } catch (DstackException e) {
                if (e.code() == ErrorCode.RESOURCE_NOT_EXISTS) {
                    throw CliException.failure("Run " + name + " does not exist");
                }
                throw e;
            }
            names.add(name);
        }
        if (names.isEmpty()) {
            throw CliException.usage("name the run to delete: dstack delete RUN, or dstack delete -f FILE");
        }
        names.forEach(project::getRun);
        String what = String.join(", ", names);
        if (!yes && !Confirmation.ask(environment(), out(), "Delete the run " + what + "?", "-y")) {
            out().println("Cancelled");
            return ExitStatus.FAILURE;
        }
        project.deleteRuns(names);
        out().println(file != null && runNames.isEmpty() ? "Run " + what + " deleted" : "Deleted " + what);
        return ExitStatus.OK;
    }
}
