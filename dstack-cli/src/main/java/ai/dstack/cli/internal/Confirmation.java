package ai.dstack.cli.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/** A {@code question [y/n]:} prompt as dstack asks it; no input at all is an error, not a silent "no". */
public final class Confirmation {
    private Confirmation() {}

    /**
     * @return whether the answer was yes
     * @throws CliException when stdin has nothing to read, naming the option that skips the question
     */
    public static boolean ask(CliEnvironment environment, PrintWriter out, String question, String skipOption) {
        out.print(question + " [y/n]: ");
        out.flush();
        String answer = null;
        try {
            if (environment.stdin() != null) {
                answer = environment.stdin().readLine();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the answer from stdin", e);
        }
        if (answer == null) {
            out.println();
            throw CliException.failure("no answer to \"" + question + "\": stdin is closed. Pass " + skipOption
                    + " to go ahead without asking.");
        }
        String normalized = answer.strip().toLowerCase(Locale.ROOT);
        return normalized.equals("y") || normalized.equals("yes");
    }
}
