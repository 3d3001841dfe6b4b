package ai.dstack.cli.internal.command;

import ai.dstack.api.run.Run;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.Confirmation;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackProject;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dstack stop RUN...} or {@code -f FILE}: asks runs to stop (gracefully, or at once with {@code --abort}). */
@Command(name = "stop", description = "Stop runs.")
public final class StopCommand extends ClientCommand {
    @Parameters(paramLabel = "RUN", arity = "0..*", description = "Run names.")
    List<String> runNames = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Stop the run the configuration file names.")
    String file;

    @Option(names = {"-x", "--abort"}, description = "Stop at once, without the graceful stop period.")
    boolean abort;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    int run(DstackProject project) {
        List<String> names = new ArrayList<>(runNames);
        if (file != null) {
            names.add(RunFile.runName(file, err(), "stop"));
        }
        if (names.isEmpty()) {
            throw CliException.usage("name the run to stop: dstack stop RUN, or dstack stop -f FILE");
        }
        List<String> active = new ArrayList<>();
        for (String name : names) { // "Run not found" before anything is stopped
            Run run = project.getRun(name);
            if (run.status().isFinished()) {
                out().println("Run " + name + " has already finished (" + run.status().wireValue() + "): nothing to stop");
            } else {
                active.add(name);
            }
        }
        if (active.isEmpty()) {
            return ExitStatus.OK;
        }
        names = active;
        String what = String.join(", ", names);
        if (!yes && !Confirmation.ask(environment(), out(), (abort ? "Abort" : "Stop") + " the run " + what + "?", "-y")) {
            out().println("Cancelled");
            return ExitStatus.FAILURE;
        }
        project.stopRuns(names, abort);
        out().println((abort ? "Aborting " : "Stopping ") + what);
        return ExitStatus.OK;
    }
}
