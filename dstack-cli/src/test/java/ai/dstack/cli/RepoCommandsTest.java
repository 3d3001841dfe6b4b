package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.server.DstackServer;
import ai.dstack.testing.GitRepos;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code repos: [.]}, {@code -P}, {@code --no-repo} and {@code dstack init}: the real CLI sends the repo to a real
 * server on loopback, whose local host runs the job in the checked-out code. Each job prints every file of its repo
 * directory (as {@code F:<path>}) and its working directory, so the test sees exactly the tree the job saw.
 */
class RepoCommandsTest {
    private static final String SMALL = "resources:\n  cpu: 0..\n  memory: 0GB..\n  disk: 0GB..\n";
    private static final String LIST_TREE = """
            commands:
              - echo "PWD:${PWD#$DSTACK_WORKING_DIR}:$(basename $PWD)"
              - cd "$(git rev-parse --show-toplevel 2>/dev/null || echo ..)" && find . -path ./.git -prune -o -type f -print | sort | sed 's/^/F:/'
              - cat main.txt
              - git rev-parse HEAD 2>/dev/null | sed 's/^/H:/'
            """;

    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;

    @BeforeAll
    static void start() throws IOException {
        server = TestServers.builder(dir).build().start();
        cli = TestServers.cliFor(server, dir.resolve("home"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A project with committed, changed, untracked, .gitignored and .dstackignored files, and a subdirectory. */
    private static void writeProject(Path project) throws IOException {
        Files.createDirectories(project.resolve("src"));
        Files.createDirectories(project.resolve("build"));
        Files.writeString(project.resolve("main.txt"), "main v1\n");
        Files.writeString(project.resolve("src/tool.sh"), "echo tool\n");
        Files.writeString(project.resolve(".gitignore"), "*.log\nbuild/\n");
        Files.writeString(project.resolve(".dstackignore"), "secret.txt\n");
    }

    private static void writeUncommitted(Path project) throws IOException {
        Files.writeString(project.resolve("main.txt"), "main v2 uncommitted\n");
        Files.writeString(project.resolve("src/new.txt"), "untracked\n");
        Files.writeString(project.resolve("app.log"), "ignored by .gitignore\n");
        Files.writeString(project.resolve("build/out.bin"), "ignored by .gitignore\n");
        Files.writeString(project.resolve("secret.txt"), "ignored by .dstackignore\n");
    }

    private static Path configuration(Path project, String extra) throws IOException {
        return Files.writeString(project.resolve(".dstack.yml"), "type: task\n" + SMALL + extra + LIST_TREE);
    }

    private static List<String> files(CliRun run) {
        return run.outLines().stream().filter(l -> l.startsWith("F:")).map(l -> l.substring(4)).toList();
    }

    @Test
    void aLocalGitRepoWithoutRemoteIsSentAsItsTreeWithUncommittedChangesAndWithoutIgnoredFiles() throws IOException {
        Path project = dir.resolve("local-git");
        writeProject(project);
        GitRepos.git(Files.createDirectories(project), "init", "--quiet");
        GitRepos.git(project, "add", "-A");
        GitRepos.git(project, "commit", "--quiet", "-m", "first");
        writeUncommitted(project);
        Path yml = configuration(project, "repos: [.]\nworking_dir: src\n");

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(files(apply)).containsExactly(".dstack.yml", ".dstackignore", ".gitignore", "main.txt",
                "src/new.txt", "src/tool.sh");
        assertThat(apply.out()).contains("PWD::src", "main v2 uncommitted");
    }

    @Test
    void aDirectoryWithoutGitIsSentWithoutWhatItsIgnoreFilesExclude() throws IOException {
        Path project = dir.resolve("plain");
        writeProject(project);
        writeUncommitted(project);
        Path yml = configuration(project, "repos:\n  - local_path: .\n    path: /workflow\nworking_dir: /workflow/src\n");

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");

        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(files(apply)).containsExactly(".dstack.yml", ".dstackignore", ".gitignore", "main.txt",
                "src/new.txt", "src/tool.sh");
        assertThat(apply.out()).contains("PWD::src");
    }

    @Test
    void aCloneWithARemoteIsClonedOnTheHostAtItsCommitWithTheDiffUsingTheTokenOfDstackInit() throws Exception {
        Path bare = dir.resolve("served/origin.git");
        Path project = dir.resolve("clone");
        GitRepos.create(bare, project);
        writeProject(project);
        String commit = GitRepos.commit(project, "first", Map.of());
        GitRepos.git(bare, "update-server-info");
        writeUncommitted(project);
        Path yml = configuration(project, "repos: [.]\nworking_dir: src\n");
        String token = "tok-" + UUID.randomUUID();
        HttpServer git = dumbGitServer(dir.resolve("served"), token);
        try {
            String url = "http://127.0.0.1:" + git.getAddress().getPort() + "/origin.git";
            GitRepos.git(project, "remote", "set-url", "origin", url);

            CliRun noCreds = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");
            assertThat(noCreds.exitCode()).as("without the token the host cannot clone: %s", noCreds).isNotZero();
            assertThat(noCreds.err()).contains("cannot clone " + url);

            CliRun init = CliRun.in(cli, "init", "-P", project.toString(), "-t", token);
            assertThat(init.exitCode()).as("%s", init).isZero();
            CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");

            assertThat(apply.exitCode()).as("%s", apply).isZero();
            assertThat(files(apply)).as("the committed tree, the uncommitted change and the untracked file")
                    .containsExactly(".dstack.yml", ".dstackignore", ".gitignore", "main.txt", "src/new.txt",
                            "src/tool.sh");
            assertThat(apply.out()).contains("PWD::src", "main v2 uncommitted").doesNotContain(token);
            CliRun logs = CliRun.in(cli, "logs", apply.outLines().stream().filter(l -> l.startsWith("Submitted "))
                    .findFirst().orElseThrow().substring("Submitted ".length()), "--diagnose");
            assertThat(logs.out()).doesNotContain(token);
            assertThat(apply.outLines()).as("the clone is at the commit of the local clone").contains("H:" + commit);
        } finally {
            git.stop(0);
        }
    }

    @Test
    void dashPSendsTheDirectoryItNamesAndWithoutItOrReposTheRunHasNoCode() throws IOException {
        Path project = dir.resolve("named-by-p");
        writeProject(project);
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path yml = configuration(elsewhere, "working_dir: src\n");

        CliRun withP = CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "-P", project.toString());
        assertThat(withP.exitCode()).as("%s", withP).isZero();
        assertThat(files(withP)).containsExactly(".dstackignore", ".gitignore", "main.txt", "src/tool.sh");

        CliRun without = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");
        assertThat(without.exitCode()).as("cat main.txt fails in an empty directory: %s", without).isNotZero();
        assertThat(files(without)).isEmpty();
    }

    @Test
    void aConfigurationInsideAGitRepoWithoutReposSendsNoCodeAsDstack020Does() throws IOException {
        // dstack 0.19.26+ made repos explicit: no `repos` (and no -P) means no repo, even inside a Git clone.
        Path project = dir.resolve("git-without-repos");
        writeProject(project);
        GitRepos.git(Files.createDirectories(project), "init", "--quiet");
        GitRepos.git(project, "add", "-A");
        GitRepos.git(project, "commit", "--quiet", "-m", "first");
        Path yml = configuration(project, "");

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");

        assertThat(apply.exitCode()).as("cat main.txt fails in an empty directory: %s", apply).isNotZero();
        assertThat(files(apply)).isEmpty();
        assertThat(apply.out()).doesNotContain("main v1");
    }

    @Test
    void noRepoWithReposListedIsRefusedNamingBoth() throws IOException {
        Path project = Files.createDirectories(dir.resolve("refused"));
        Path yml = configuration(project, "repos: [.]\n");

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y", "--no-repo");

        assertThat(apply.exitCode()).isEqualTo(2);
        assertThat(apply.err()).contains("--no-repo").contains("`repos`");
    }

    @Test
    void aBranchOnALocalPathIsRefusedNamingTheEntry() throws IOException {
        Path project = Files.createDirectories(dir.resolve("branchy"));
        Path yml = configuration(project, "repos:\n  - local_path: .\n    branch: dev\n");

        CliRun apply = CliRun.in(cli, "apply", "-f", yml.toString(), "-y");

        assertThat(apply.exitCode()).isEqualTo(1);
        assertThat(apply.err()).contains("repos[0] (local_path .)", "`branch` and `hash` apply to a `url` repo");
    }

    /**
     * Git's "dumb" HTTP protocol on loopback: the bare repo's files as they are, behind HTTP Basic authentication
     * with the token as password (what a Git host does with an OAuth token).
     */
    private static HttpServer dumbGitServer(Path root, String token) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String expected = "Basic " + Base64.getEncoder().encodeToString(("oauth2:" + token).getBytes(StandardCharsets.UTF_8));
        http.createContext("/", exchange -> {
            try (exchange) {
                if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        http.start();
        return http;
    }
}
