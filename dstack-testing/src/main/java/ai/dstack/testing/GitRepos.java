package ai.dstack.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real Git repos on disk for tests, made with the {@code git} binary: a bare "remote" and a clone with commits, so
 * that a host can clone the remote at a known hash over a {@code file://} URL.
 */
public final class GitRepos {
    private GitRepos() {}

    /** Runs {@code git args...} in {@code dir} with a fixed identity and no user or system config; returns stdout. */
    public static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_AUTHOR_NAME", "Test");
        env.put("GIT_AUTHOR_EMAIL", "test@example.com");
        env.put("GIT_COMMITTER_NAME", "Test");
        env.put("GIT_COMMITTER_EMAIL", "test@example.com");
        try {
            Path err = Files.createTempFile("git-", ".err");
            try {
                Process process = builder.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                        new java.io.File("/dev/null"))).start();
                String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("git " + String.join(" ", args) + " in " + dir + " failed: "
                            + Files.readString(err));
                }
                return out.strip();
            } finally {
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run git (tests of repos need git on PATH): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A new clone at {@code work} of a new bare repo at {@code bare}, on branch {@code main}, with no commits yet. */
    public static void create(Path bare, Path work) throws IOException {
        Files.createDirectories(bare);
        Files.createDirectories(work);
        git(bare, "init", "--quiet", "--bare", "--initial-branch=main");
        git(work, "init", "--quiet", "--initial-branch=main");
        git(work, "remote", "add", "origin", bare.toUri().toString());
    }

    /** Writes the files (path to content), commits everything and pushes to origin; returns the commit hash. */
    public static String commit(Path work, String message, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = work.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        git(work, "add", "-A");
        git(work, "commit", "--quiet", "-m", message);
        git(work, "push", "--quiet", "origin", "HEAD:main");
        return git(work, "rev-parse", "HEAD");
    }
}
