package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliEnvironment;

/** The width tables are fitted to: {@code COLUMNS} when the shell exports it, else 120 on a terminal, else no limit. */
final class Terminal {
    private Terminal() {}

    static int width(CliEnvironment environment) {
        String columns = environment.get("COLUMNS");
        if (columns != null) {
            try {
                return Math.max(40, Integer.parseInt(columns.strip()));
            } catch (NumberFormatException ignored) {
                // Not a number: fall back as if unset.
            }
        }
        return environment.terminal() ? 120 : Integer.MAX_VALUE;
    }
}
