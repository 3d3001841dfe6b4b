package ai.dstack.cli.internal;

import java.io.Serial;

/**
 * A failure the user can fix, reported as one {@code Error: message} line (no stack trace) with its own exit code.
 * Commands throw it instead of printing and returning, so that every error looks the same.
 */
public class CliException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public static CliException failure(String message) {
        return new CliException(ExitStatus.FAILURE, message);
    }

    public static CliException usage(String message) {
        return new CliException(ExitStatus.USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
