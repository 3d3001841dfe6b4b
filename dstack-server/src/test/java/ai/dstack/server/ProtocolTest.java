package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dstack's transport rules (dstack-api.md §0, §2, §3): bodies, error bodies, tokens, versions. */
class ProtocolTest {
    @TempDir
    static Path dir;

    private static ApiServer api;
    private static String admin;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
        admin = api.adminToken;
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static ApiServer.Reply withVersion(String version) {
        return api.call("/api/users/get_my_user", admin, null, Map.of("X-API-VERSION", version));
    }

    @Test
    void healthAndServerInfoNeedNoToken() {
        ApiServer.Reply health = api.execute(new Request.Builder().url(api.server.url() + "/healthcheck").get().build());
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().toString()).isEqualTo("{\"status\":\"running\"}");

        ApiServer.Reply info = api.post("/api/server/get_info", null, (String) null);
        assertThat(info.status()).isEqualTo(200);
        assertThat(info.body().toString()).isEqualTo("{\"server_version\":\"" + DstackServer.DSTACK_API_VERSION + "\"}");
        assertThat(info.headers().get("content-type")).anySatisfy(type -> assertThat(type).startsWith("application/json"));
    }

    @Test
    void tokensAreCheckedWithDstacksBodies() {
        assertThat(api.post("/api/users/get_my_user", null, (String) null).body().toString())
                .isEqualTo("{\"detail\":\"Not authenticated\"}");
        ApiServer.Reply basic = api.call("/api/users/get_my_user", null, null, Map.of("Authorization", "Basic abc"));
        assertThat(basic.status()).isEqualTo(403);
        assertThat(basic.body().toString()).isEqualTo("{\"detail\":\"Invalid authentication credentials\"}");
        ApiServer.Reply wrong = api.post("/api/users/get_my_user", "wrong-token", (String) null);
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.body().toString()).isEqualTo("{\"detail\":{\"msg\":\"Invalid token\",\"code\":null}}");

        ApiServer.Reply me = api.post("/api/users/get_my_user", admin, (String) null);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.body().path("username").asText()).isEqualTo("admin");
        assertThat(me.body().path("creds").path("token").asText()).isEqualTo(admin);
        assertThat(Shapes.USER_WITH_CREDS.check(me.body())).isEmpty();
    }

    @Test
    void nullFieldsAreWrittenAndListsAreBareArraysUnlessTotalsAreAsked() {
        ApiServer.Reply users = api.post("/api/users/list", admin, (String) null);
        assertThat(users.body().isArray()).isTrue();
        assertThat(users.body().get(0).has("email")).isTrue();
        assertThat(users.body().get(0).get("email").isNull()).isTrue();

        ApiServer.Reply totals = api.post("/api/users/list", admin, "{\"return_total_count\":true}");
        assertThat(totals.body().path("total_count").asInt()).isEqualTo(1);
        assertThat(totals.body().path("users").isArray()).isTrue();
        ApiServer.Reply projects = api.post("/api/projects/list", admin, "{\"return_total_count\":true}");
        assertThat(projects.body().path("total_count").asInt()).isEqualTo(1);
        assertThat(projects.body().path("projects").get(0).path("members")).isEmpty();
    }

    @Test
    void anAbsentBodyMeansDefaultsWhereDstackAllowsItAndIsMissingWhereNot() {
        assertThat(api.post("/api/projects/list", admin, (String) null).status()).isEqualTo(200);
        assertThat(api.post("/api/project/main/fleets/list", admin, (String) null).status()).isEqualTo(200);
        assertThat(api.post("/api/projects/list", admin, "null").status()).isEqualTo(200);

        ApiServer.Reply missing = api.post("/api/runs/list", admin, (String) null);
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body().toString())
                .isEqualTo("{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":\"Field required\",\"input\":null}]}");
        ApiServer.Reply notObject = api.post("/api/runs/list", admin, "[1,2]");
        assertThat(notObject.status()).isEqualTo(422);
        assertThat(notObject.body().path("detail").get(0).path("type").asText()).isEqualTo("model_attributes_type");
    }

    @Test
    void validationErrorsNameEveryBadField() {
        ApiServer.Reply bad = api.post("/api/runs/list", admin, "{\"limit\":101,\"only_active\":\"maybe\",\"prev_run_id\":\"x\"}");

        assertThat(bad.status()).isEqualTo(422);
        assertThat(Shapes.VALIDATION_ERROR.check(bad.body())).isEmpty();
        assertThat(bad.body().path("detail")).extracting(d -> d.path("loc").toString()).containsExactlyInAnyOrder(
                "[\"body\",\"limit\"]", "[\"body\",\"only_active\"]", "[\"body\",\"prev_run_id\"]");

        ApiServer.Reply role = api.post("/api/users/create", admin, "{\"username\":\"x\",\"global_role\":\"root\"}");
        assertThat(role.status()).isEqualTo(422);
        assertThat(role.body().path("detail").get(0).path("msg").asText()).isEqualTo("Input should be 'admin' or 'user'");

        ApiServer.Reply configuration = api.post("/api/project/main/runs/get_plan", admin,
                "{\"run_spec\":{\"configuration\":{\"type\":\"task\",\"commands\":[\"x\"],\"ports\":[\"not a port\"]}}}");
        assertThat(configuration.status()).isEqualTo(422);
        assertThat(configuration.body().path("detail").get(0).path("loc").toString())
                .startsWith("[\"body\",\"run_spec\",\"configuration\",\"task\",\"ports\"");

        ApiServer.Reply noConfiguration = api.post("/api/project/main/runs/get_plan", admin, "{\"run_spec\":{}}");
        assertThat(noConfiguration.body().path("detail").get(0).path("loc").toString())
                .isEqualTo("[\"body\",\"run_spec\",\"configuration\"]");

        ApiServer.Reply malformed = api.post("/api/runs/list", admin, "{\"limit\": ");
        assertThat(malformed.status()).isEqualTo(422);
        assertThat(malformed.body().path("detail").get(0).path("type").asText()).isEqualTo("json_invalid");
    }

    @Test
    void unknownFieldsAreAccepted() {
        ApiServer.Reply reply = api.post("/api/runs/list", admin, "{\"project_name\":\"main\",\"from_the_future\":{\"x\":1}}");
        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    void routesAndProjectsThatDoNotExistAre404() {
        ApiServer.Reply route = api.post("/api/no/such/route", admin, "{}");
        assertThat(route.status()).isEqualTo(404);
        assertThat(route.body().toString()).isEqualTo("{\"detail\":\"Not Found\"}");
        ApiServer.Reply project = api.post("/api/project/nope/runs/get", admin, "{\"run_name\":\"x\"}");
        assertThat(project.status()).isEqualTo(404);
        assertThat(project.body().toString()).isEqualTo("{\"detail\":{\"msg\":\"Not found\",\"code\":null}}");
        ApiServer.Reply caseInsensitive = api.post("/api/projects/MAIN/get", admin, (String) null);
        assertThat(caseInsensitive.status()).isEqualTo(200);
        ApiServer.Reply get = api.execute(new Request.Builder().url(api.server.url() + "/api/users/list").get().build());
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.body().toString()).isEqualTo("{\"detail\":\"Method Not Allowed\"}");
    }

    @Test
    void clientVersionsAreCheckedAsDstackDoesButOnlyAMajorMismatchIsRefused() {
        assertThat(withVersion("0.21.2").status()).isEqualTo(200);
        assertThat(withVersion("0.19.30").status()).isEqualTo(200);
        assertThat(withVersion("0.0.0").status()).isEqualTo(200);
        assertThat(withVersion("latest").status()).isEqualTo(200);
        assertThat(withVersion("0.99.1").status()).isEqualTo(200);

        ApiServer.Reply newer = withVersion("1.0.0");
        assertThat(newer.status()).isEqualTo(400);
        assertThat(newer.body().toString()).isEqualTo("{\"detail\":[{\"msg\":\"The client/CLI version (1.0.0) is incompatible"
                + " with the server version (" + DstackServer.DSTACK_API_VERSION + ").\",\"code\":\"error\"}]}");
        ApiServer.Reply invalid = withVersion("not a version");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body().toString()).isEqualTo("{\"detail\":[{\"msg\":\"Invalid version: not a version\",\"code\":null}]}");
    }

    @Test
    void aBodyOverTheLimitIs413AndTheServerKeepsServing() {
        byte[] big = new byte[(int) DstackServer.DEFAULT_MAX_REQUEST_SIZE + 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        ApiServer.Reply reply = api.call("/api/runs/list", admin, RequestBody.create(big, ApiServer.JSON), Map.of());

        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.body().path("detail").asText()).contains("larger than the limit");
        assertThat(api.post("/api/runs/list", admin, "{}").status()).isEqualTo(200);
    }
}
