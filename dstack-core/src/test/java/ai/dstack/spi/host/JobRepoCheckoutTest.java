package ai.dstack.spi.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JobRepoCheckoutTest {
    private static JobRepoCheckout checkout(String path, String url, String branch, String hash) {
        return new JobRepoCheckout(path, url, branch, hash, "s3cret-token", "-----BEGIN KEY-----\nk3y\n", null, null,
                null);
    }

    @Test
    void secretsAreNeitherPrintedNorWrittenInClearIntoTheScript() {
        JobRepoCheckout repo = checkout("", "https://example.com/a.git", "main", "abc123");

        assertThat(repo.toString()).doesNotContain("s3cret-token", "k3y").contains("oauthToken=***");
        assertThat(repo.script()).doesNotContain("s3cret-token", "k3y");
    }

    @Test
    void pathsOutsideTheJobAndArgumentsGitWouldTakeForOptionsAreRefused() {
        assertThatThrownBy(() -> checkout("../x", "https://example.com/a.git", null, null))
                .hasMessageContaining("stay inside");
        assertThatThrownBy(() -> checkout("", "--upload-pack=evil", null, null)).hasMessageContaining("not a Git URL");
        assertThatThrownBy(() -> checkout("", "https://example.com/a.git", "-b", null))
                .hasMessageContaining("not a branch name");
        assertThatThrownBy(() -> checkout("", "https://example.com/a.git", null, "HEAD; rm -rf /"))
                .hasMessageContaining("not a Git commit hash");
    }

    @Test
    void theDiffIsCopiedInAndOut() {
        byte[] diff = "diff --git a/x b/x\n".getBytes(StandardCharsets.UTF_8);
        JobRepoCheckout repo = new JobRepoCheckout("", "file:///r.git", null, null, null, null, diff, null, null);
        diff[0] = 'X';

        assertThat(new String(repo.diff(), StandardCharsets.UTF_8)).startsWith("diff --git");
        assertThat(repo).isEqualTo(new JobRepoCheckout("", "file:///r.git", null, null, null, null,
                "diff --git a/x b/x\n".getBytes(StandardCharsets.UTF_8), null, null));
    }
}
