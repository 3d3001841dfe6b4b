package ai.dstack.core;

/**
 * How many runs may be active or queued (not finished) at once: per user in a project, and per project; 0 for no
 * limit. One user's queue then cannot fill a project, nor one project the server. The server's settings
 * {@value #PER_USER_VARIABLE} (default {@value #DEFAULT_PER_USER}) and {@value #PER_PROJECT_VARIABLE} (default
 * {@value #DEFAULT_PER_PROJECT}).
 */
public record RunLimits(int perUser, int perProject) {
    public static final String PER_USER_VARIABLE = "DSTACK_SERVER_MAX_ACTIVE_RUNS_PER_USER";
    public static final String PER_PROJECT_VARIABLE = "DSTACK_SERVER_MAX_ACTIVE_RUNS_PER_PROJECT";
    public static final int DEFAULT_PER_USER = 100;
    public static final int DEFAULT_PER_PROJECT = 500;

    public RunLimits {
        if (perUser < 0 || perProject < 0) {
            throw new IllegalArgumentException("run limits must be 0 (none) or more, not " + perUser + "/" + perProject);
        }
    }

    public static RunLimits defaults() {
        return new RunLimits(DEFAULT_PER_USER, DEFAULT_PER_PROJECT);
    }

    /** The limits this process's environment sets; a wrong value is an error naming its variable. */
    public static RunLimits fromEnvironment(java.util.function.Function<String, String> env) {
        return new RunLimits(read(env, PER_USER_VARIABLE, DEFAULT_PER_USER),
                read(env, PER_PROJECT_VARIABLE, DEFAULT_PER_PROJECT));
    }

    private static int read(java.util.function.Function<String, String> env, String name, int fallback) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException(name + " is '" + value + "': expected a whole number, 0 for no limit");
    }
}
