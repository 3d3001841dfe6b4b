package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dstack completion}: the script it prints must really complete in bash. */
class CompletionCommandTest {

    @Test
    void printsABashScriptThatCompletesSubcommandsAndOptions(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("completion");
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        Path script = dir.resolve("dstack-completion.bash");
        Files.writeString(script, run.out());

        assertThat(complete(script, "dstack", "val")).isEqualTo("validate");
        assertThat(complete(script, "dstack", "validate", "--js")).isEqualTo("--json");
    }

    /** Sources the script in a real bash and asks it to complete the last word, as bash does on TAB. */
    private static String complete(Path script, String... words) throws IOException, InterruptedException {
        String wordArray = String.join(" ", words);
        String program = "source '" + script + "'\n"
                + "COMP_WORDS=(" + wordArray + ")\n"
                + "COMP_CWORD=" + (words.length - 1) + "\n"
                + "COMP_LINE='" + wordArray + "'\n"
                + "COMP_POINT=${#COMP_LINE}\n"
                + "_complete_dstack\n"
                + "echo \"${COMPREPLY[*]}\"\n";
        Process bash = new ProcessBuilder("bash", "-c", program).redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).as("bash finished").isTrue();
        assertThat(bash.exitValue()).as(output).isZero();
        return output.strip();
    }
}
