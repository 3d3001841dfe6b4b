package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.cli.internal.DstackCommandLine;
import ai.dstack.cli.internal.command.DstackCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The root command: help, version, usage errors, global options. */
class MainTest {

    @Test
    void noArgumentsPrintsUsageToStderrAndExitsWithUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("Usage: dstack").contains("validate", "completion");
    }

    @Test
    void helpListsTheCommandsOnStdout() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("Usage: dstack").contains("validate", "completion", "server", "apply", "ps", "logs", "--debug", "--version");
    }

    @Test
    void versionIsTheProjectVersion() {
        String projectVersion = System.getProperty("dstack.version");
        assertThat(projectVersion).as("surefire passes the project version").isNotBlank();

        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.outLines().get(0)).isEqualTo("dstack " + projectVersion);
    }

    @Test
    void subcommandsAcceptHelpToo() {
        CliRun run = CliRun.of("validate", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: dstack validate").contains("FILE...", "--json");
    }

    @Test
    void mistypedCommandIsAUsageErrorWithASuggestion() {
        CliRun run = CliRun.of("valdate", "x.yml");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).hasSize(3);
        assertThat(run.errLines().get(0)).isEqualTo("Error: unknown command 'valdate'");
        assertThat(run.errLines().get(1)).startsWith("Did you mean: dstack validate");
        assertThat(run.errLines().get(2)).isEqualTo("Run 'dstack --help' for usage.");
    }

    @Test
    void unknownOptionIsAUsageErrorNamingTheOption() {
        CliRun run = CliRun.of("validate", "--bogus", "x.yml");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly(
                "Error: Unknown option: '--bogus'",
                "Run 'dstack validate --help' for usage.");
    }

    @Test
    void debugIsAcceptedBeforeOrAfterTheSubcommand() {
        assertThat(debugAfterParsing("--debug", "validate", "x.yml")).isTrue();
        assertThat(debugAfterParsing("validate", "--debug", "x.yml")).isTrue();
        assertThat(debugAfterParsing("validate", "x.yml")).isFalse();
    }

    private static boolean debugAfterParsing(String... args) {
        var commandLine = DstackCommandLine.create(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        commandLine.parseArgs(args);
        return commandLine.<DstackCommand>getCommand().debug();
    }
}
