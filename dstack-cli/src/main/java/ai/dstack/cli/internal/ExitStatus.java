package ai.dstack.cli.internal;

/** The exit codes of every {@code dstack} command; higher is worse, so a command can keep the worst it saw. */
public final class ExitStatus {
    public static final int OK = 0;
    /** The command ran and the answer is "no" (an invalid file) or something failed along the way. */
    public static final int FAILURE = 1;
    /** The command was called wrongly: bad options, no arguments, a file that is not there. */
    public static final int USAGE = 2;

    private ExitStatus() {}
}
