package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Project secrets (values never listed) and repos (credentials kept per user) through the API. */
class SecretsAndReposTest {
    private static final String P = "/api/project/proj/";

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static Map<Role, String> tokens;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
        tokens = Role.setUp(api, "proj");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    @Test
    void secretsAreStoredAndReadButNeverListedWithValues() {
        String admin = tokens.get(Role.PROJECT_ADMIN);
        ApiServer.Reply created = api.post(P + "secrets/create_or_update", admin, "{\"name\":\"HF_TOKEN\",\"value\":\"s3cr3t\"}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(Shapes.SECRET.check(created.body())).isEmpty();
        assertThat(created.body().path("value").asText()).isEqualTo("s3cr3t");
        ApiServer.Reply updated = api.post(P + "secrets/create_or_update", admin, "{\"name\":\"HF_TOKEN\",\"value\":\"v2\"}");
        assertThat(updated.body().path("id")).isEqualTo(created.body().path("id"));

        ApiServer.Reply listed = api.post(P + "secrets/list", admin, (String) null);
        assertThat(listed.body()).hasSize(1);
        assertThat(listed.body().get(0).has("value")).isTrue();
        assertThat(listed.body().get(0).get("value").isNull()).isTrue();
        assertThat(listed.toString()).doesNotContain("v2");
        assertThat(api.post(P + "secrets/get", admin, "{\"name\":\"HF_TOKEN\"}").body().path("value").asText()).isEqualTo("v2");

        assertThat(api.post(P + "secrets/create_or_update", admin, "{\"name\":\"bad name\",\"value\":\"x\"}").body()
                .path("detail").get(0).path("msg").asText()).startsWith("Secret name should match regex");
        assertThat(api.post(P + "secrets/create_or_update", admin, "{\"name\":\"BIG\",\"value\":\"" + "x".repeat(5001) + "\"}")
                .body().path("detail").get(0).path("msg").asText()).isEqualTo("Secret value length must not exceed 5000");
        ApiServer.Reply missing = api.post(P + "secrets/delete", admin, "{\"secrets_names\":[\"HF_TOKEN\",\"NOPE\"]}");
        assertThat(missing.body().toString())
                .isEqualTo("{\"detail\":[{\"msg\":\"Secrets not found: NOPE\",\"code\":\"resource_not_exists\"}]}");
        assertThat(api.post(P + "secrets/delete", admin, "{\"secrets_names\":[\"HF_TOKEN\"]}").status()).isEqualTo(200);
        assertThat(api.post(P + "secrets/list", admin, (String) null).body()).isEmpty();
    }

    @Test
    void reposAreInitializedAndEachUserSeesOnlyItsOwnCredentials() {
        String user = tokens.get(Role.USER);
        String manager = tokens.get(Role.MANAGER);
        String remote = "{\"repo_id\":\"my-repo\",\"repo_info\":{\"repo_type\":\"remote\",\"repo_name\":\"dstack\"},"
                + "\"repo_creds\":{\"clone_url\":\"https://example.com/dstack.git\",\"private_key\":null,\"oauth_token\":\"tok\"}}";
        assertThat(api.post(P + "repos/init", user, remote).status()).isEqualTo(200);

        ApiServer.Reply mine = api.post(P + "repos/get", user, "{\"repo_id\":\"my-repo\",\"include_creds\":true}");
        assertThat(Shapes.REPO_HEAD_WITH_CREDS.check(mine.body())).isEmpty();
        assertThat(mine.body().path("repo_creds").path("oauth_token").asText()).isEqualTo("tok");
        JsonNode theirs = api.post(P + "repos/get", manager, "{\"repo_id\":\"my-repo\",\"include_creds\":true}").body();
        assertThat(theirs.path("repo_creds").isNull()).isTrue();
        JsonNode without = api.post(P + "repos/get", user, "{\"repo_id\":\"my-repo\",\"include_creds\":false}").body();
        assertThat(without.path("repo_creds").isNull()).isTrue();

        ApiServer.Reply listed = api.post(P + "repos/list", user, (String) null);
        assertThat(listed.body()).anySatisfy(repo -> {
            assertThat(Shapes.REPO_HEAD.check(repo)).isEmpty();
            assertThat(repo.path("repo_id").asText()).isEqualTo("my-repo");
            assertThat(repo.path("repo_info").path("repo_name").asText()).isEqualTo("dstack");
        });

        // Initializing without credentials drops the caller's.
        api.post(P + "repos/init", user, "{\"repo_id\":\"my-repo\",\"repo_info\":{\"repo_type\":\"remote\",\"repo_name\":\"dstack\"}}");
        assertThat(api.post(P + "repos/get", user, "{\"repo_id\":\"my-repo\",\"include_creds\":true}").body()
                .path("repo_creds").isNull()).isTrue();

        ApiServer.Reply badType = api.post(P + "repos/init", user, "{\"repo_id\":\"x\",\"repo_info\":{\"repo_type\":\"svn\"}}");
        assertThat(badType.status()).isEqualTo(422);
        assertThat(badType.body().path("detail").get(0).path("loc").toString()).startsWith("[\"body\",\"repo_info\"");

        assertThat(api.post(P + "repos/delete", user, "{\"repos_ids\":[\"my-repo\"]}").status()).isEqualTo(200);
        assertThat(api.post(P + "repos/get", user, "{\"repo_id\":\"my-repo\",\"include_creds\":false}").status()).isEqualTo(400);
    }

    @Test
    void aRunOfAnUnknownRepoIsRefusedAndAVirtualOneIsCreated() {
        String user = tokens.get(Role.USER);
        String task = "{\"type\":\"task\",\"commands\":[\"true\"],\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"}}";
        ApiServer.Reply unknown = api.post(P + "runs/apply", user, "{\"plan\":{\"run_spec\":{\"repo_id\":\"nope\","
                + "\"repo_data\":{\"repo_type\":\"local\",\"repo_dir\":\"/tmp/x\"},\"configuration\":" + task + "}},\"force\":false}");
        assertThat(unknown.body().toString())
                .isEqualTo("{\"detail\":[{\"msg\":\"Repo nope does not exist\",\"code\":\"repo_does_not_exist\"}]}");

        ApiServer.Reply run = api.post(P + "runs/apply", user, "{\"plan\":{\"run_spec\":{\"configuration\":" + task + "}},\"force\":false}");
        assertThat(run.status()).as("%s", run).isEqualTo(200);
        assertThat(run.body().path("user").asText()).isEqualTo(Role.USER_NAME);
        assertThat(api.post(P + "repos/list", user, (String) null).body())
                .anySatisfy(repo -> assertThat(repo.path("repo_id").asText()).isEqualTo("none"));
        ApiServer.Reply mineOnly = api.post("/api/runs/list", user, "{\"username\":\"" + Role.USER_NAME + "\"}");
        assertThat(mineOnly.body()).hasSize(1);
        assertThat(api.post("/api/runs/list", user, "{\"username\":\"ghost\"}").body().toString())
                .isEqualTo("{\"detail\":[{\"msg\":\"User not found\",\"code\":\"resource_not_exists\"}]}");
        String name = run.body().path("run_spec").path("run_name").asText();
        // A plain user's run in a project other than main gets no place on the server's own host (the local fleet
        // serves global admins in main by default), and this project has no other fleet.
        await().atMost(Duration.ofSeconds(60)).until(() -> api.post(P + "runs/get", user, "{\"run_name\":\"" + name + "\"}")
                .body().path("status").asText().equals("failed"));
        assertThat(api.post(P + "runs/get", user, "{\"run_name\":\"" + name + "\"}").body().toString())
                .contains("the local fleet serves only global admins in project main");
    }
}
