package ai.dstack.cli.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a command reads from the world besides its arguments: environment variables, the home directory (where
 * {@code ~/.dstack/config.yml} lives), standard input for confirmations, and whether a person sits at a terminal.
 * Passed in rather than read from {@link System}, so that tests run commands in-process with their own.
 *
 * @param stdin null when there is no input to read answers from
 */
public record CliEnvironment(Map<String, String> env, Path home, BufferedReader stdin, boolean terminal) {
    public CliEnvironment {
        env = Map.copyOf(env);
        Objects.requireNonNull(home, "home is null");
    }

    /** The process's own environment, {@code user.home} and stdin. */
    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), Path.of(ai.dstack.client.DstackConfig.homeDirectory()),
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.console() != null);
    }

    /** An environment variable, or null when unset or blank. */
    public String get(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** {@code ~/.dstack/config.yml} under this home, whatever {@code DSTACK_SERVER_DIR} says (as dstack has it). */
    public Path configFile() {
        return home.resolve(".dstack").resolve("config.yml");
    }

    /** The same environment with another stdin (tests that answer prompts). */
    public CliEnvironment withStdin(BufferedReader stdin) {
        return new CliEnvironment(env, home, stdin, terminal);
    }
}
