package ai.dstack.spi.host;

/**
 * What an SSH user asked to run inside a job.
 *
 * @param command the command line to run with the job's shell, or null for an interactive shell
 * @param pty whether the user asked for a terminal
 * @param term the terminal type (the {@code TERM} variable) when {@code pty}; null otherwise
 * @param columns the terminal's width in characters, 0 when unknown
 * @param rows the terminal's height in lines, 0 when unknown
 */
public record ShellRequest(String command, boolean pty, String term, int columns, int rows) {
    public ShellRequest {
        if (command != null && command.isBlank()) {
            command = null;
        }
        columns = Math.max(0, columns);
        rows = Math.max(0, rows);
    }

    /** {@code ssh host 'command'} without a terminal. */
    public static ShellRequest exec(String command) {
        return new ShellRequest(command, false, null, 0, 0);
    }
}
