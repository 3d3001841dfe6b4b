package ai.dstack.cli.internal.command;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.RepoSpec;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.cli.internal.CliException;
import ai.dstack.client.DstackProject;
import ai.dstack.client.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The repo {@code dstack apply} sends with a run, as dstack's CLI builds it: a Git clone with a remote is sent as
 * that remote repo (branch, commit) plus the diff of its uncommitted changes, untracked files included; any other
 * directory is sent as a local repo, a tar of its files. Files that {@code .gitignore} or {@code .dstackignore}
 * exclude are never sent.
 *
 * @param repoId dstack's repo id: the name and a hash of where the repo lives
 * @param info what {@code repos/init} registers
 * @param data the run spec's {@code repo_data}
 * @param code what {@code repos/upload_code} takes: the diff of a remote repo, the tar of a local one
 * @param defaultCreds for a remote repo the project does not know yet: its clone URL, no secret
 */
record RunRepo(String repoId, RepoInfo info, RunRepoData data, byte[] code, RemoteRepoCreds defaultCreds) {
    static final String DSTACKIGNORE = ".dstackignore";

    /** The repo of a directory: the remote of its Git clone, or else the directory itself. */
    static RunRepo ofDirectory(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw CliException.failure("repos: '" + dir + "' is not a directory");
        }
        Optional<Path> top = Git.topLevel(abs);
        if (top.isPresent()) {
            Optional<String> url = Git.remoteUrl(top.get());
            if (url.isPresent()) {
                return remoteClone(top.get(), url.get());
            }
            // A clone without a remote: what Git would commit (tracked files and untracked ones it does not ignore).
            List<String> files = Git.check(abs, "ls-files", "-z", "--cached", "--others", "--exclude-standard").names();
            return local(abs, files);
        }
        return local(abs, Git.notGitIgnored(abs));
    }

    /** A remote repo named by URL ({@code repos: [{url: ...}]}): cloned at its branch and hash, with no diff. */
    static RunRepo ofUrl(RepoSpec spec) {
        GitRepoUrl url = GitRepoUrl.parse(spec.url());
        return new RunRepo(url.repoId(), new RepoInfo.Remote(url.repoName()),
                new RunRepoData.Remote(url.repoName(), spec.branch(), spec.hash(), null, null), new byte[0],
                new RemoteRepoCreds(url.defaultCloneUrl(), null, null));
    }

    /**
     * Uploads the code and returns its hash for the run spec's {@code repo_code_hash}; a repo the project does not
     * know yet is registered first (a remote one with its clone URL and no secret: {@code dstack init} gives one).
     */
    String upload(DstackProject project) {
        try {
            return project.uploadCode(repoId, code);
        } catch (DstackException e) {
            if (e.code() != ErrorCode.REPO_DOES_NOT_EXIST) {
                throw e;
            }
        }
        project.initRepo(repoId, info, defaultCreds);
        return project.uploadCode(repoId, code);
    }

    private static RunRepo remoteClone(Path top, String remoteUrl) {
        GitRepoUrl url = GitRepoUrl.parse(remoteUrl);
        Git.Result head = Git.run(top, "rev-parse", "--verify", "-q", "HEAD");
        if (head.exitCode() != 0) {
            throw CliException.failure("repos: the Git repo " + top + " has no commit yet; commit first, so that the"
                    + " host can clone it from " + remoteUrl);
        }
        Git.Result branch = Git.run(top, "symbolic-ref", "--short", "-q", "HEAD");
        String name = config(top, "user.name");
        String email = config(top, "user.email");
        RunRepoData data = new RunRepoData.Remote(url.repoName(), branch.exitCode() == 0 ? branch.text() : null,
                head.text(), name, email);
        return new RunRepo(url.repoId(), new RepoInfo.Remote(url.repoName()), data, diff(top),
                new RemoteRepoCreds(url.defaultCloneUrl(), null, null));
    }

    /**
     * dstack's repo diff: the uncommitted changes to tracked files, then each untracked file as a new one; with
     * explicit options, so that the user's Git settings (colours, external diff tools, prefixes) cannot make a
     * diff the host's {@code git apply} refuses.
     */
    private static byte[] diff(Path top) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Git.check(top, "diff", "--binary", "--no-color", "--no-ext-diff", "--src-prefix=a/",
                "--dst-prefix=b/", "HEAD").stdout());
        Set<String> dstackIgnored = new HashSet<>(Git.ignoredBy(top, DSTACKIGNORE));
        for (String file : Git.check(top, "ls-files", "-z", "--others", "--exclude-standard").names()) {
            if (dstackIgnored.contains(file) || Files.isDirectory(top.resolve(file))) {
                continue;
            }
            Git.Result added = Git.run(top, "diff", "--binary", "--no-color", "--no-ext-diff", "--src-prefix=a/",
                    "--dst-prefix=b/", "--no-index", "--", "/dev/null", file);
            if (added.exitCode() > 1) {
                throw CliException.failure("git diff of the untracked file " + top.resolve(file) + " failed: "
                        + added.stderr());
            }
            out.writeBytes(added.stdout());
        }
        return out.toByteArray();
    }

    private static RunRepo local(Path dir, List<String> files) {
        Set<String> dstackIgnored = new HashSet<>(Git.ignoredBy(dir, DSTACKIGNORE));
        TarWriter tar = new TarWriter();
        try {
            for (String file : files.stream().sorted().toList()) {
                Path path = dir.resolve(file);
                if (!dstackIgnored.contains(file) && Files.isRegularFile(path)) {
                    tar.add(path, file);
                }
            }
        } catch (IOException e) {
            throw CliException.failure("repos: cannot read " + e.getMessage() + " to send it with the run");
        }
        String repoDir = dir.toString();
        return new RunRepo(GitRepoUrl.slugify(dir.getFileName() == null ? "repo" : dir.getFileName().toString(),
                repoDir), new RepoInfo.Local(repoDir), new RunRepoData.Local(repoDir), tar.toByteArray(), null);
    }

    private static String config(Path top, String key) {
        Git.Result value = Git.run(top, "config", "--get", key);
        return value.exitCode() == 0 && !value.text().isEmpty() ? value.text() : null;
    }
}
