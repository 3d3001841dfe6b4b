package ai.dstack.core.internal.host;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The container runtime that runs this host's jobs with an image: Docker or Podman, through its CLI. Found by asking
 * the engine ({@code podman ps} / {@code docker info}), never by the CLI's presence alone: a {@code docker} on
 * {@code PATH} may be a client with no engine behind it. Podman is asked with {@code ps}, which opens its storage and
 * runtime as {@code info} does but does not ask the package manager for every helper's version ({@code info} runs
 * {@code dpkg-query} or {@code rpm} several times: 0.7 s of CPU against 0.08 s).
 *
 * @param name {@code podman} or {@code docker}
 * @param cli the CLI's absolute path
 */
public record ContainerRuntime(String name, Path cli) {
    /** The setting that chooses the runtime: {@code podman}, {@code docker}, {@code none}, or unset to detect. */
    public static final String SETTING = "DSTACK_SERVER_CONTAINER_RUNTIME";

    private static final Duration INFO_TIMEOUT = Duration.ofSeconds(20);
    private static final List<String> KNOWN = List.of("podman", "docker");

    /** What detection found: a runtime, or why there is none. */
    public record Detection(Optional<ContainerRuntime> runtime, String problem) {
        static Detection found(ContainerRuntime runtime) {
            return new Detection(Optional.of(runtime), null);
        }

        static Detection none(String problem) {
            return new Detection(Optional.empty(), problem);
        }

        /** "podman", "docker" or "none (why)", for logs and messages. */
        public String describe() {
            return runtime.map(ContainerRuntime::name).orElse("none (" + problem + ")");
        }
    }

    /**
     * Finds the runtime {@code choice} names ({@code podman}, {@code docker} or {@code none}; null or blank: podman
     * if its engine answers, else docker if its engine answers, else none).
     *
     * @throws IllegalArgumentException when {@code choice} is none of those; the message names the setting
     */
    static Detection detect(String choice, ProcessRunner runner) {
        // An engine that answered once is taken as there for this process: asking once per PATH saves ~1 s per
        // executor. A missing one is asked again by the next executor (it may have been started meanwhile).
        String key = choice + "\n" + runner.environment().getOrDefault("PATH", "");
        Detection known = DETECTED.get(key);
        if (known == null) {
            known = detectNow(choice, runner);
            if (known.runtime().isPresent()) {
                DETECTED.putIfAbsent(key, known);
            }
        }
        return known;
    }

    private static final java.util.Map<String, Detection> DETECTED = new java.util.concurrent.ConcurrentHashMap<>();

    private static Detection detectNow(String choice, ProcessRunner runner) {
        String wanted = choice == null ? "" : choice.strip().toLowerCase(Locale.ROOT);
        if (wanted.equals("none")) {
            return Detection.none(SETTING + "=none");
        }
        if (!wanted.isEmpty() && !KNOWN.contains(wanted)) {
            throw new IllegalArgumentException(SETTING + "='" + choice + "' is not a container runtime: use podman,"
                    + " docker or none (unset: detect)");
        }
        List<String> problems = new ArrayList<>();
        for (String name : wanted.isEmpty() ? KNOWN : List.of(wanted)) {
            Optional<String> problem = engineProblem(name, runner);
            if (problem.isEmpty()) {
                return Detection.found(new ContainerRuntime(name, runner.which(name).orElseThrow()));
            }
            problems.add(problem.get());
        }
        return Detection.none(String.join("; ", problems));
    }

    /** Why {@code name}'s engine cannot run containers here, if it cannot. */
    private static Optional<String> engineProblem(String name, ProcessRunner runner) {
        if (!runner.isOnPath(name)) {
            return Optional.of("there is no '" + name + "' on PATH");
        }
        List<String> question = name.equals("podman") ? List.of(name, "ps", "--quiet") : List.of(name, "info");
        String asked = String.join(" ", question.subList(0, 2));
        try {
            ProcessRunner.Result answer = runner.run(question, INFO_TIMEOUT);
            if (answer.timedOut()) {
                return Optional.of("'" + asked + "' did not answer within " + INFO_TIMEOUT.toSeconds() + " s");
            }
            if (answer.exitCode() != 0) {
                String firstLine = answer.diagnostic().lines().filter(line -> !line.isBlank()).findFirst()
                        .orElse("exit code " + answer.exitCode());
                return Optional.of("'" + asked + "' failed: " + firstLine.strip());
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("'" + asked + "' could not run: " + e.getMessage());
        }
    }
}
