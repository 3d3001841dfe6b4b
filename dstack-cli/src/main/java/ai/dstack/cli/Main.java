package ai.dstack.cli;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.cli.internal.DstackCommandLine;
import java.io.PrintWriter;

/**
 * The {@code dstack} command: {@code java -jar dstack-cli-<version>-all.jar validate .dstack.yml}.
 *
 * <p>Exit codes: 0 success, 1 failure (e.g. an invalid configuration), 2 usage error (bad arguments, missing file).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /**
     * Runs {@code dstack args} as the command line would, writing to {@code out} and {@code err}, and returns the exit
     * code instead of exiting, so that tests and embedders can call it in-process.
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(out, err, CliEnvironment.system(), args);
    }

    /** {@link #run(PrintWriter, PrintWriter, String...)} with another environment, home directory and stdin. */
    public static int run(PrintWriter out, PrintWriter err, CliEnvironment environment, String... args) {
        try {
            return DstackCommandLine.create(out, err, environment).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }
}
