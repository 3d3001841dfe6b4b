package ai.dstack.core.internal.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short-lived program to completion. Its output goes to temporary files rather than pipes, so waiting needs
 * no reader thread and a timeout always works.
 */
final class ProcessRunner {

    /** How a program ended; {@code timedOut} means it was killed after the timeout. */
    record Result(int exitCode, String stdout, String stderr, boolean timedOut) {
        boolean succeeded() {
            return !timedOut && exitCode == 0;
        }

        /** The first lines of stderr (or stdout), for error messages. */
        String diagnostic() {
            String text = stderr.isBlank() ? stdout : stderr;
            text = text.strip();
            return text.length() > 2000 ? text.substring(0, 2000) + "…" : text;
        }
    }

    private final Map<String, String> environment;

    /** @param environment the whole environment of the programs (nothing is inherited from the JVM) */
    ProcessRunner(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    Map<String, String> environment() {
        return environment;
    }

    /** Runs {@code bash -c <script> <name> <arguments…>}. */
    Result bash(String script, String name, List<String> arguments, Duration timeout) throws IOException {
        return bash(script, name, arguments, null, timeout);
    }

    /** Runs {@code bash -c <script> <name> <arguments…>} with {@code stdin} (none when null) as its input. */
    Result bash(String script, String name, List<String> arguments, String stdin, Duration timeout) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", "-c", script, name));
        command.addAll(arguments);
        return run(command, stdin, timeout);
    }

    /**
     * Runs {@code command}, looking its program up in this runner's {@code PATH} (ProcessBuilder would use the
     * JVM's).
     */
    Result run(List<String> command, Duration timeout) throws IOException {
        return run(command, null, timeout);
    }

    private Result run(List<String> command, String stdin, Duration timeout) throws IOException {
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, which(command.get(0)).map(Path::toString).orElseThrow(() ->
                new IOException("'" + command.get(0) + "' is not on PATH " + environment.getOrDefault("PATH", ""))));
        Path stdout = Files.createTempFile("dstack-host-", ".out");
        Path stderr = Files.createTempFile("dstack-host-", ".err");
        Path input = stdin == null ? null : Files.writeString(Files.createTempFile("dstack-host-", ".in"), stdin);
        try {
            ProcessBuilder builder = new ProcessBuilder(resolved)
                    .redirectInput(ProcessBuilder.Redirect.from(input == null ? new java.io.File("/dev/null") : input.toFile()))
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            boolean finished = waitFor(process, timeout);
            if (!finished) {
                process.destroyForcibly();
                waitFor(process, Duration.ofSeconds(5));
            }
            return new Result(finished ? process.exitValue() : -1, read(stdout), read(stderr), !finished);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
            if (input != null) {
                Files.deleteIfExists(input);
            }
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "interrupted while waiting for " + process.info().command().orElse("a program"), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code program} is an executable file in one of the {@code PATH} directories. */
    boolean isOnPath(String program) {
        return which(program).isPresent();
    }

    /** Where {@code program} is on this runner's {@code PATH}. */
    Optional<Path> which(String program) {
        if (program.contains("/")) {
            return Optional.of(Path.of(program));
        }
        for (String directory : environment.getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(directory.isEmpty() ? "." : directory, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
