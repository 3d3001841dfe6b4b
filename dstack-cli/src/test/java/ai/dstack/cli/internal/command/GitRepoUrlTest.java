package ai.dstack.cli.internal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GitRepoUrlTest {
    @Test
    void theSameRepoHasOneIdWhateverTheUrlForm() {
        GitRepoUrl https = GitRepoUrl.parse("https://github.com/dstackai/dstack.git");
        GitRepoUrl scp = GitRepoUrl.parse("git@github.com:dstackai/dstack.git");
        GitRepoUrl ssh = GitRepoUrl.parse("ssh://git@GitHub.com/dstackai/dstack");

        assertThat(https.repoName()).isEqualTo("dstack");
        assertThat(https.repoId()).matches("dstack-[0-9a-z]{8}").isEqualTo(scp.repoId()).isEqualTo(ssh.repoId());
        assertThat(GitRepoUrl.parse("https://gitlab.com/dstackai/dstack").repoId()).isNotEqualTo(https.repoId());
    }

    @Test
    void theCloneUrlKeepsTheSchemeAndPortOfHttpUrlsAndUsesSshForScpLikeOnes() {
        assertThat(GitRepoUrl.parse("http://127.0.0.1:8080/team/app.git").defaultCloneUrl())
                .isEqualTo("http://127.0.0.1:8080/team/app.git");
        assertThat(GitRepoUrl.parse("https://git.example.com:8443/team/app.git").defaultCloneUrl())
                .isEqualTo("https://git.example.com:8443/team/app.git");
        assertThat(GitRepoUrl.parse("git@github.com:dstackai/dstack.git").defaultCloneUrl())
                .isEqualTo("ssh://git@github.com/dstackai/dstack.git");
    }

    @Test
    void otherSchemesAreRefusedNamingTheUrl() {
        assertThatThrownBy(() -> GitRepoUrl.parse("ftp://example.com/repo.git"))
                .hasMessageContaining("Unsupported URL scheme ftp");
    }

    @Test
    void slugifyIsDstacksPrefixAndEightBase36CharactersOfTheKey() {
        assertThat(GitRepoUrl.slugify("app", "/home/me/app")).matches("app-[0-9a-z]{8}")
                .isEqualTo(GitRepoUrl.slugify("app", "/home/me/app"))
                .isNotEqualTo(GitRepoUrl.slugify("app", "/home/you/app"));
    }
}
