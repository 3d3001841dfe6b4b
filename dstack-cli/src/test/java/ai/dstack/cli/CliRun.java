package ai.dstack.cli;

import ai.dstack.cli.internal.CliEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** What one in-process {@code dstack} run printed and returned. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    /** Runs with its own environment, home directory (and so ~/.dstack/config.yml) and stdin. */
    static CliRun in(CliEnvironment environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.run(new PrintWriter(out), new PrintWriter(err), environment, args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    List<String> errLines() {
        return err.lines().toList();
    }
}
