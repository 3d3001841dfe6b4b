package ai.dstack.api.user;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.json.WireSamples;
import ai.dstack.api.repo.RepoHeadWithCreds;
import ai.dstack.api.run.JobSshKey;
import ai.dstack.api.secret.Secret;
import org.junit.jupiter.api.Test;

/** Records that carry credentials keep them out of toString(), so logs do not leak them. */
class SecretsInToStringTest {
    @Test
    void userCredentialsAreHidden() {
        UserWithCreds user = WireSamples.read("user-with-creds", UserWithCreds.class);

        assertThat(user.toString()).doesNotContain(user.creds().token(), user.sshPrivateKey()).contains("admin");
    }

    @Test
    void secretValuesAreHidden() {
        Secret secret = WireSamples.read("secret", Secret.class);

        assertThat(secret.toString()).doesNotContain(secret.value()).contains(secret.name());
    }

    @Test
    void repoCredentialsAreHidden() {
        RepoHeadWithCreds repo = WireSamples.read("repo-head-with-creds", RepoHeadWithCreds.class);

        assertThat(repo.toString()).doesNotContain(repo.repoCreds().oauthToken()).contains("github.com");
    }

    @Test
    void jobPrivateKeysAreHidden() {
        assertThat(new JobSshKey("PRIVATE-PART", "ssh-ed25519 PUBLIC").toString())
                .doesNotContain("PRIVATE-PART").contains("ssh-ed25519 PUBLIC");
    }

    @Test
    void aUserWithCredsViewedAsUserMatchesTheUserReply() {
        UserWithCreds withCreds = WireSamples.read("user-with-creds", UserWithCreds.class);

        assertThat(withCreds.user()).isEqualTo(WireSamples.read("user", User.class));
    }
}
