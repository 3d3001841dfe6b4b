package ai.dstack.backend.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.backend.ssh.testing.TestSshServer;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.JobRepoCheckout;
import ai.dstack.testing.GitRepos;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote repo behind SSH, cloned with the private key of {@code dstack init --git-identity}: a MINA server on
 * loopback plays the Git host (it runs {@code git-upload-pack} as any Git host's SSH server does) and accepts only
 * that key; the host is this machine's executor, whose {@code ssh} client gets the key from a file of the checkout.
 */
class GitOverSshCloneTest {
    @TempDir
    Path dir;

    @Test
    void aRepoOverSshIsClonedWithThePrivateKeyAndTheKeyIsGoneAfterwards() throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        Path bare = dir.resolve("origin.git");
        Path clone = dir.resolve("clone");
        GitRepos.create(bare, clone);
        String commit = GitRepos.commit(clone, "first", Map.of("hello.txt", "over ssh\n"));
        try (TestSshServer gitHost = TestSshServer.start(Files.createDirectories(dir.resolve("git-host")),
                Path.of(key + ".pub"));
                LocalHostExecutor host = new LocalHostExecutor(dir.resolve("jobs"),
                        LocalHostExecutor.defaultBaseEnvironment(), false)) {
            String url = "ssh://git@127.0.0.1:" + gitHost.port() + bare.toAbsolutePath();
            JobHandle job = host.start(JobLaunch.of("ssh-clone", List.of("cat hello.txt", "git rev-parse HEAD",
                            "ls .. | grep -c git-creds || true"))
                    .withRepo(new JobRepoCheckout("", url, "main", commit, null, Files.readString(key), null, null,
                            null)));
            HostJobState end = host.onFinished(job).toCompletableFuture().get(60, TimeUnit.SECONDS);

            String out = host.readLogs(job, 0).lines().stream()
                    .map(l -> l.text() + (l.endsLine() ? "\n" : "")).collect(Collectors.joining());
            assertThat(end).as(out).isInstanceOf(HostJobState.Exited.class);
            assertThat(((HostJobState.Exited) end).exitCode()).as(out).isZero();
            assertThat(out).isEqualTo("over ssh\n" + commit + "\n0\n");
            assertThat(gitHost.sessionsOpened()).as("the clone went through the SSH server").isPositive();
            // The job's supervisor may still be writing in the directory JUnit deletes next.
            long wrapper = Long.parseLong(Files.readString(host.jobDirectory(job).resolve("pid")).strip().split(" ")[0]);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> ProcessHandle.of(wrapper).map(p -> !p.isAlive()).orElse(true));
        }
    }
}
