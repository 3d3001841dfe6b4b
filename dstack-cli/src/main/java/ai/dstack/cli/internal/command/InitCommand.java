package ai.dstack.cli.internal.command;

import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.cli.internal.CliException;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.client.DstackProject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dstack init}: registers a Git repo (a local clone's remote, or a URL) with the project, with the caller's
 * credentials for it, as dstack's {@code init} does; prints {@code OK}.
 */
@Command(name = "init", description = "Initialize the repo: register a Git repo and your credentials for it with the project.")
public final class InitCommand extends ClientCommand {
    @Option(names = {"-P", "--repo"}, paramLabel = "PATH_OR_URL",
            description = "The repo: a local clone or a Git URL (default: the current directory).")
    String repo;

    @Option(names = {"-t", "--token"}, paramLabel = "OAUTH_TOKEN", description = "A token to access a private Git repo.")
    String token;

    @Option(names = "--git-identity", paramLabel = "SSH_PRIVATE_KEY", description = "The private SSH key to access a private Git repo.")
    String identity;

    @Override
    int run(DstackProject project) {
        String url = repo != null && !Files.isDirectory(Path.of(repo)) ? repo : remoteOf(Path.of(repo == null ? "." : repo));
        GitRepoUrl parsed = GitRepoUrl.parse(url);
        RemoteRepoCreds creds;
        if (token != null) {
            creds = new RemoteRepoCreds(parsed.scheme().startsWith("http") ? parsed.defaultCloneUrl() : parsed.asHttps(),
                    null, token);
        } else if (identity != null) {
            try {
                creds = new RemoteRepoCreds(parsed.asSsh(), Files.readString(Path.of(identity)), null);
            } catch (IOException e) {
                throw CliException.usage("cannot read --git-identity " + identity + ": " + e.getMessage());
            }
        } else {
            // No secret given: the clone URL as configured, for public repos (dstack would also try the user's
            // default git credentials here).
            creds = new RemoteRepoCreds(parsed.defaultCloneUrl(), null, null);
        }
        project.initRepo(parsed.repoId(), new RepoInfo.Remote(parsed.repoName()), creds);
        out().println("OK");
        return ExitStatus.OK;
    }

    /** The URL of the remote the current branch tracks (else {@code origin}), from {@code git}. */
    private static String remoteOf(Path dir) {
        String remote = git(dir, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}");
        String name = remote == null || !remote.contains("/") ? "origin" : remote.substring(0, remote.indexOf('/'));
        String url = git(dir, "remote", "get-url", name);
        if (url == null || url.isBlank()) {
            throw CliException.failure(dir.toAbsolutePath().normalize() + " is not a Git repo with a remote: pass -P with a"
                    + " Git URL, or run dstack init inside a clone");
        }
        return url.strip();
    }

    private static String git(Path dir, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            process.getErrorStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return null;
            }
            return output;
        } catch (IOException e) {
            throw CliException.failure("cannot run git: " + e.getMessage() + " (dstack init needs git on PATH)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
