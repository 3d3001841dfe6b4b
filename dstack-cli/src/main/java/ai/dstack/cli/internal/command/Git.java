package ai.dstack.cli.internal.command;

import ai.dstack.cli.internal.CliException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The {@code git} binary, as the CLI uses it to read a repo: it applies every ignore rule exactly as Git does
 * (nested {@code .gitignore}s, {@code info/exclude}, the user's global excludes) and writes the diffs that
 * {@code git apply} on the host takes.
 */
final class Git {
    /** What a git command printed and how it ended. */
    record Result(int exitCode, byte[] stdout, String stderr) {
        String text() {
            return new String(stdout, StandardCharsets.UTF_8).strip();
        }

        /** The NUL-separated names {@code -z} options print. */
        List<String> names() {
            List<String> names = new ArrayList<>();
            for (String name : new String(stdout, StandardCharsets.UTF_8).split("\0")) {
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
            return names;
        }
    }

    private Git() {}

    /** Runs {@code git args...} in {@code dir}; a missing {@code git} is the user's error, named. */
    static Result run(Path dir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        builder.environment().put("GIT_TERMINAL_PROMPT", "0");
        try {
            Process process = builder.start();
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw CliException.failure("git " + String.join(" ", args) + " did not finish within 2 minutes in "
                        + dir);
            }
            return new Result(process.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw CliException.failure("cannot run git: " + e.getMessage() + " (sending a repo needs git on PATH)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted while running git");
        }
    }

    static Result run(Path dir, String... args) {
        return run(dir, Map.of(), args);
    }

    /** The output of a command that must succeed. */
    static Result check(Path dir, String... args) {
        Result result = run(dir, args);
        if (result.exitCode() != 0) {
            throw CliException.failure("git " + String.join(" ", args) + " failed in " + dir + ": " + result.stderr());
        }
        return result;
    }

    /** The top directory of the Git work tree {@code dir} is in, if it is in one. */
    static java.util.Optional<Path> topLevel(Path dir) {
        Result result = run(dir, "rev-parse", "--show-toplevel");
        return result.exitCode() == 0 && !result.text().isEmpty()
                ? java.util.Optional.of(Path.of(result.text()))
                : java.util.Optional.empty();
    }

    /** The URL of the remote the current branch tracks (else {@code origin}), if the clone has one. */
    static java.util.Optional<String> remoteUrl(Path dir) {
        Result upstream = run(dir, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}");
        String remote = upstream.exitCode() == 0 && upstream.text().contains("/")
                ? upstream.text().substring(0, upstream.text().indexOf('/'))
                : "origin";
        Result url = run(dir, "remote", "get-url", remote);
        return url.exitCode() == 0 && !url.text().isEmpty() ? java.util.Optional.of(url.text())
                : java.util.Optional.empty();
    }

    /**
     * The files under {@code dir} (relative, {@code /}-separated) that {@code ignoreFile}s there and below would
     * ignore, read by git against an empty repo so that every file counts as untracked.
     */
    static List<String> ignoredBy(Path dir, String ignoreFile) {
        return withEmptyRepo(dir, env -> run(dir, env, "ls-files", "-z", "--others", "--ignored",
                "--exclude-per-directory=" + ignoreFile).names());
    }

    /** The files under {@code dir} that its {@code .gitignore}s (and git's other excludes) keep. */
    static List<String> notGitIgnored(Path dir) {
        return withEmptyRepo(dir, env -> run(dir, env, "ls-files", "-z", "--others", "--exclude-standard").names());
    }

    private static <T> T withEmptyRepo(Path dir, java.util.function.Function<Map<String, String>, T> body) {
        Path gitDir = null;
        try {
            gitDir = Files.createTempDirectory("dstack-ignore-");
            Result init = run(gitDir, "init", "--quiet", gitDir.toString());
            if (init.exitCode() != 0) {
                throw CliException.failure("git init failed in " + gitDir + ": " + init.stderr());
            }
            return body.apply(Map.of("GIT_DIR", gitDir.resolve(".git").toString(), "GIT_WORK_TREE", dir.toString()));
        } catch (IOException e) {
            throw CliException.failure("cannot create a temporary directory: " + e.getMessage());
        } finally {
            if (gitDir != null) {
                deleteTree(gitDir);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
