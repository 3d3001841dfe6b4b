package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.repo.RemoteRepoCreds;
import ai.dstack.api.repo.RepoInfo;
import ai.dstack.api.repo.RunRepoData;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.Dstack;
import ai.dstack.client.DstackClient;
import ai.dstack.client.DstackProject;
import ai.dstack.testing.GitRepos;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote repo through the embedded engine on the local host: cloned at the commit of the run's {@code repo_data}
 * from the URL of the user's credentials, the uploaded diff applied, the job in {@code working_dir}; without the
 * user's credentials the submission is refused.
 */
class RemoteRepoRunTest {
    private static final String REPO_ID = "origin-0a1b2c3d";

    @TempDir
    Path dir;

    private DstackClient client;

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    private DstackProject project() {
        client = Dstack.connect(Map.of(Dstack.MODE, "embedded", "dstack.server-dir", dir.resolve("server").toString(),
                "dstack.local-blocks", "2", Dstack.PROJECT, "main"));
        return client.project();
    }

    private static RunSpec spec(String name, String commit, String codeHash) {
        TaskConfiguration task = DstackYaml.parse("type: task\nname: " + name + "\nworking_dir: src\ncommands:\n"
                + "  - echo \"in $(basename $PWD)\"\n  - sh tool.sh\n  - cat ../notes.txt\n  - git rev-parse HEAD\n"
                + "  - git config user.email\n", name + ".dstack.yml", TaskConfiguration.class);
        return RunSpec.newBuilder().configuration(task)
                .repo(REPO_ID, new RunRepoData.Remote("origin", "main", commit, "Dee", "dee@example.com"))
                .repoCodeHash(codeHash).build();
    }

    @Test
    void theJobRunsInTheCloneAtTheCommitWithTheDiffApplied() throws Exception {
        DstackProject main = project();
        Path bare = dir.resolve("origin.git");
        Path clone = dir.resolve("clone");
        GitRepos.create(bare, clone);
        String first = GitRepos.commit(clone, "first", Map.of("src/tool.sh", "echo tool v1\n"));
        GitRepos.commit(clone, "second", Map.of("src/tool.sh", "echo tool v2\n"));
        Files.writeString(clone.resolve("notes.txt"), "untracked notes\n");
        GitRepos.git(clone, "add", "-N", "notes.txt");
        byte[] diff = (GitRepos.git(clone, "diff", "--binary", "HEAD", "--", "notes.txt") + "\n")
                .getBytes(StandardCharsets.UTF_8);
        main.initRepo(REPO_ID, new RepoInfo.Remote("origin"), new RemoteRepoCreds(bare.toUri().toString(), null, null));
        String codeHash = main.uploadCode(REPO_ID, diff);

        Run run = main.applyRun(main.getRunPlan(spec("at-first", first, codeHash)));
        List<String> lines = new ArrayList<>();
        Run done = main.followLogs(run.runSpec().runName(),
                event -> lines.addAll(new String(event.messageBytes(), StandardCharsets.UTF_8).lines().toList()));

        assertThat(done.status()).as("%s", lines).isEqualTo(RunStatus.DONE);
        assertThat(lines).containsExactly("in src", "tool v1", "untracked notes", first, "dee@example.com");
    }

    @Test
    void singleBranchClonesOnlyTheRunsBranchAndFalseFetchesAll() throws Exception {
        DstackProject main = project();
        Path bare = dir.resolve("branches.git");
        Path clone = dir.resolve("branches");
        GitRepos.create(bare, clone);
        String head = GitRepos.commit(clone, "first", Map.of("README", "x\n"));
        GitRepos.git(clone, "push", "--quiet", "origin", "HEAD:refs/heads/feature");
        main.initRepo(REPO_ID, new RepoInfo.Remote("origin"), new RemoteRepoCreds(bare.toUri().toString(), null, null));

        assertThat(branches(main, "single", "single_branch: true\n", head)).containsExactly("origin/main");
        assertThat(branches(main, "all", "single_branch: false\n", head))
                .containsExactly("origin/feature", "origin/main");
    }

    @Test
    void ifExistsSkipIsRefusedByNameAndErrorHoldsForTheNewRepoDirectory() throws Exception {
        DstackProject main = project();
        Path bare = dir.resolve("exists.git");
        Path clone = dir.resolve("exists");
        GitRepos.create(bare, clone);
        String head = GitRepos.commit(clone, "first", Map.of("README", "cloned\n"));
        main.initRepo(REPO_ID, new RepoInfo.Remote("origin"), new RemoteRepoCreds(bare.toUri().toString(), null, null));

        DstackException refused = catchThrowableOfType(() -> main.getRunPlan(ifExists("skip", head)),
                DstackException.class);
        assertThat(refused).isNotNull();
        assertThat(refused.getMessage()).contains("`repos`: `if_exists: skip`", "never an existing checkout");

        Run run = main.applyRun(main.getRunPlan(ifExists("error", head)));
        List<String> lines = new ArrayList<>();
        Run done = main.followLogs(run.runSpec().runName(),
                event -> lines.addAll(new String(event.messageBytes(), StandardCharsets.UTF_8).lines().toList()));
        assertThat(done.status()).as("%s", lines).isEqualTo(RunStatus.DONE);
        assertThat(lines).containsExactly("cloned");
    }

    @Test
    void aVolumeMountedOverTheRepoDirectoryIsRefusedByName() throws Exception {
        DstackProject main = project();
        Path bare = dir.resolve("hidden.git");
        Path clone = dir.resolve("hidden");
        GitRepos.create(bare, clone);
        String head = GitRepos.commit(clone, "first", Map.of("README", "cloned\n"));
        main.initRepo(REPO_ID, new RepoInfo.Remote("origin"), new RemoteRepoCreds(bare.toUri().toString(), null, null));

        for (String mount : List.of("/code", "/code/app")) {
            TaskConfiguration task = DstackYaml.parse("type: task\nimage: localhost/dstack-test:bookworm\n"
                    + "repos:\n  - url: https://example.com/origin.git\n    path: /code/app\n"
                    + "volumes:\n  - instance_path: " + dir + "\n    path: " + mount + "\ncommands:\n  - cat README\n",
                    "hidden.dstack.yml", TaskConfiguration.class);
            RunSpec spec = RunSpec.newBuilder().configuration(task)
                    .repo(REPO_ID, new RunRepoData.Remote("origin", "main", head, null, null)).build();
            DstackException refused = catchThrowableOfType(() -> main.getRunPlan(spec), DstackException.class);
            assertThat(refused).as("a volume at %s", mount).isNotNull();
            assertThat(refused.getMessage()).contains("`volumes`: a volume at " + mount
                    + " would hide the repo checked out at /code/app");
        }
    }

    private static RunSpec ifExists(String action, String commit) {
        TaskConfiguration task = DstackYaml.parse("type: task\nrepos:\n  - url: https://example.com/origin.git\n"
                + "    if_exists: " + action + "\ncommands:\n  - cat README\n", "exists.dstack.yml",
                TaskConfiguration.class);
        return RunSpec.newBuilder().configuration(task)
                .repo(REPO_ID, new RunRepoData.Remote("origin", "main", commit, null, null)).build();
    }

    private static List<String> branches(DstackProject main, String name, String singleBranch, String commit)
            throws Exception {
        TaskConfiguration task = DstackYaml.parse("type: task\nname: " + name + "\n" + singleBranch
                + "commands:\n  - git branch -r | grep -v HEAD | sed 's/^ *//' | sort\n", name + ".dstack.yml",
                TaskConfiguration.class);
        RunSpec spec = RunSpec.newBuilder().configuration(task)
                .repo(REPO_ID, new RunRepoData.Remote("origin", "main", commit, null, null)).build();
        Run run = main.applyRun(main.getRunPlan(spec));
        List<String> lines = new ArrayList<>();
        Run done = main.followLogs(run.runSpec().runName(),
                event -> lines.addAll(new String(event.messageBytes(), StandardCharsets.UTF_8).lines().toList()));
        assertThat(done.status()).as("%s", lines).isEqualTo(RunStatus.DONE);
        return lines;
    }

    @Test
    void aRemoteRepoWithoutTheUsersCredentialsIsRefusedNamingDstackInit() {
        DstackProject main = project();
        main.initRepo(REPO_ID, new RepoInfo.Remote("origin"), null);

        DstackException refused = catchThrowableOfType(
                () -> main.applyRun(main.getRunPlan(spec("no-creds", null, null))), DstackException.class);

        assertThat(refused).isNotNull();
        assertThat(refused.code()).isEqualTo(ErrorCode.ERROR);
        assertThat(refused.getMessage()).contains("repos:", REPO_ID, "dstack init");
        assertThat(main.listRuns()).isEmpty();
    }
}
