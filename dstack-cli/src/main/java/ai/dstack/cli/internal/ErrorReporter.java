package ai.dstack.cli.internal;

import ai.dstack.api.DstackException;
import ai.dstack.client.DstackConnectionException;
import java.io.PrintWriter;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every exception that reaches the top into one {@code Error: ...} line on stderr and an exit code. Stack traces
 * appear only with {@code --debug}: a user who mistyped an option needs the fix, not our internals.
 */
public final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    private final BooleanSupplier debug;

    /** @param debug whether {@code --debug} was given; asked only once the command line has been parsed */
    public ErrorReporter(BooleanSupplier debug) {
        this.debug = debug;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        err.println(command.getColorScheme().errorText("Error: " + describe(ex)));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
        return ExitStatus.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        boolean debug = this.debug.getAsBoolean();
        err.println(command.getColorScheme().errorText("Error: " + describe(ex, debug)));
        if (debug) {
            ex.printStackTrace(err);
        }
        return ex instanceof CliException cli ? cli.exitCode() : ExitStatus.FAILURE;
    }

    /** picocli's words, except for a mistyped command, where "Unmatched argument at index 0" would puzzle. */
    private static String describe(ParameterException ex) {
        CommandLine command = ex.getCommandLine();
        if (ex instanceof UnmatchedArgumentException unmatched
                && !unmatched.isUnknownOption()
                && !command.getSubcommands().isEmpty()
                && !unmatched.getUnmatched().isEmpty()) {
            return "unknown command '" + unmatched.getUnmatched().get(0) + "'";
        }
        return ex.getMessage();
    }

    private static String describe(Exception ex, boolean debug) {
        if (ex instanceof DstackConnectionException connection && !connection.requestSent()) {
            return "Cannot connect to " + connection.serverUrl() + ": is the server running? (dstack server)";
        }
        if (ex instanceof CliException || ex instanceof DstackException) {
            return ex.getMessage();
        }
        // Not a failure we foresaw: name its type, since its message alone may mean nothing to the user.
        String what = "unexpected " + ex.getClass().getSimpleName()
                + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        return debug ? what : what + " (run with --debug for the stack trace)";
    }
}
