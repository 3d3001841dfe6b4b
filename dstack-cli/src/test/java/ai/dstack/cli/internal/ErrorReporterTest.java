package ai.dstack.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** How failures of any command reach the user: one {@code Error:} line, a stack trace only on request. */
class ErrorReporterTest {

    /** A command that fails the way it is told to, standing in for any future subcommand. */
    @Command(name = "fail")
    static final class FailingCommand implements Callable<Integer> {
        @Parameters(index = "0")
        String how;

        @Override
        public Integer call() {
            switch (how) {
                case "usage" -> throw CliException.usage("no project named 'x'");
                case "failure" -> throw CliException.failure("server at http://127.0.0.1:1 is not reachable");
                case "dstack" -> throw new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "run 'x' does not exist");
                default -> throw new IllegalStateException("boom");
            }
        }
    }

    @Test
    void userErrorsAreOneLineWithTheirExitCode() {
        assertThat(run(false, "usage")).isEqualTo(new Outcome(2, "Error: no project named 'x'\n"));
        assertThat(run(false, "failure"))
                .isEqualTo(new Outcome(1, "Error: server at http://127.0.0.1:1 is not reachable\n"));
        assertThat(run(false, "dstack")).isEqualTo(new Outcome(1, "Error: run 'x' does not exist\n"));
    }

    @Test
    void unexpectedErrorsNameTheirTypeAndHideTheStackTrace() {
        assertThat(run(false, "bug")).isEqualTo(new Outcome(
                1, "Error: unexpected IllegalStateException: boom (run with --debug for the stack trace)\n"));
    }

    @Test
    void debugAddsTheStackTrace() {
        Outcome outcome = run(true, "bug");

        assertThat(outcome.exitCode()).isEqualTo(1);
        assertThat(outcome.err().lines().toList())
                .startsWith("Error: unexpected IllegalStateException: boom", "java.lang.IllegalStateException: boom")
                .anyMatch(line -> line.contains("at " + FailingCommand.class.getName() + ".call"));
    }

    @Test
    void badArgumentsAreAUsageErrorPointingAtHelp() {
        Outcome outcome = run(false);

        assertThat(outcome).isEqualTo(new Outcome(
                2, "Error: Missing required parameter: '<how>'\nRun 'fail --help' for usage.\n"));
    }

    record Outcome(int exitCode, String err) {}

    private static Outcome run(boolean debug, String... args) {
        StringWriter err = new StringWriter();
        ErrorReporter reporter = new ErrorReporter(() -> debug);
        int exitCode = new CommandLine(new FailingCommand())
                .setOut(new PrintWriter(new StringWriter()))
                .setErr(new PrintWriter(err, true))
                .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                .setExecutionExceptionHandler(reporter)
                .setParameterExceptionHandler(reporter)
                .execute(args);
        return new Outcome(exitCode, err.toString().replace(System.lineSeparator(), "\n"));
    }
}
