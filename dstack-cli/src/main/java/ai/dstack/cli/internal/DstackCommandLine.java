package ai.dstack.cli.internal;

import ai.dstack.cli.internal.command.DstackCommand;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the picocli command tree for {@code dstack}, wired to the given streams and to {@link ErrorReporter}. */
public final class DstackCommandLine {
    private DstackCommandLine() {}

    public static CommandLine create(PrintWriter out, PrintWriter err) {
        return create(out, err, CliEnvironment.system());
    }

    public static CommandLine create(PrintWriter out, PrintWriter err, CliEnvironment environment) {
        DstackCommand root = new DstackCommand(environment);
        ErrorReporter errors = new ErrorReporter(root::debug);
        return new CommandLine(root)
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler(errors)
                .setParameterExceptionHandler(errors)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setUsageHelpAutoWidth(true);
    }
}
