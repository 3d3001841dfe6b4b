package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.validate.ConfigurationFileCheck;
import ai.dstack.cli.internal.validate.FileVerdict;
import ai.dstack.cli.internal.validate.JsonVerdictPrinter;
import ai.dstack.cli.internal.validate.TextVerdictPrinter;
import ai.dstack.cli.internal.validate.VerdictPrinter;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dstack validate FILE...}: checks configuration files as {@code dstack apply} would, without a server. Every
 * file is checked even after a bad one; the exit code is the worst seen: 2 if a file could not be read, else 1 if a
 * file is invalid, else 0.
 */
@Command(
        name = "validate",
        description = "Check .dstack.yml configuration files without running anything.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every file is valid",
            "1:some file is invalid",
            "2:usage error, e.g. a file cannot be read"
        })
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(
            names = "--json",
            description = "Print one JSON object per file and line: {\"file\", \"valid\", \"type\", \"configuration\"} "
                    + "or {\"file\", \"valid\", \"errors\": [{\"loc\", \"msg\"}]}.")
    private boolean json;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Configuration files, e.g. .dstack.yml.")
    private List<String> files;

    @Override
    public Integer call() {
        CommandLine command = spec.commandLine();
        PrintWriter out = command.getOut();
        PrintWriter err = command.getErr();
        VerdictPrinter printer = json
                ? new JsonVerdictPrinter(out)
                : new TextVerdictPrinter(out, command.getColorScheme().ansi());
        ConfigurationFileCheck check = new ConfigurationFileCheck();

        int status = ExitStatus.OK;
        for (String file : files) {
            FileVerdict verdict = check.check(file);
            if (verdict instanceof FileVerdict.Valid valid) {
                printer.valid(valid);
            } else if (verdict instanceof FileVerdict.Invalid invalid) {
                printer.invalid(invalid);
                status = Math.max(status, ExitStatus.FAILURE);
            } else if (verdict instanceof FileVerdict.Unreadable unreadable) {
                err.println(command.getColorScheme().errorText(
                        "Error: cannot read " + unreadable.file() + ": " + unreadable.reason()));
                status = Math.max(status, ExitStatus.USAGE);
            }
        }
        return status;
    }
}
