package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.core.DstackEngine;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backend created over the API is in config.yml, so the next start (which applies config.yml) keeps it. */
class BackendsPersistTest {
    private static final String AWS = """
            {"type":"aws","regions":["us-east-1"],"creds":{"type":"access_key","access_key":"AK","secret_key":"SK"}}""";
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

    @TempDir
    Path dir;

    /**
     * Creating an aws backend checks its keys with EC2: the fake one, started here and not by chance by another test
     * class of the same JVM (without it the check went to the real endpoint and failed).
     */
    @org.junit.jupiter.api.BeforeAll
    static void fakeEc2() {
        ai.dstack.backend.aws.testing.FakeEc2.shared().account("AK");
    }

    private ServerSettings settings() {
        return ServerSettings.fromEnvironment(Map.of("DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "DSTACK_SERVER_LOCAL_FLEET", "false")::get, dir);
    }

    /** The server as {@code dstack server} starts it: config.yml read, engine built, config.yml applied. */
    private DstackServer start() {
        ServerStartup startup = ServerStartup.prepare(settings());
        DstackEngine engine = startup.engine().localFleet(false).build();
        DstackServer server = DstackServer.builder().engine(engine).port(0).sshPort(-1).build().start();
        startup.applyConfig(server.engine());
        return server;
    }

    private JsonNode post(DstackServer server, String path, String body) throws Exception {
        Request request = new Request.Builder().url(server.url() + path)
                .header("Authorization", "Bearer " + server.engine().adminToken())
                .post(RequestBody.create(body == null ? "" : body, MediaType.get("application/json"))).build();
        try (Response response = http.newCall(request).execute()) {
            String text = response.body().string();
            assertThat(response.code()).as(text).isEqualTo(200);
            return ApiServer.json(text.isEmpty() || text.equals("null") ? "{}" : "{\"reply\":" + text + "}");
        }
    }

    @Test
    void backendsCreatedUpdatedAndDeletedOverTheApiOutliveARestart() throws Exception {
        try (DstackServer server = start()) {
            post(server, "/api/project/main/backends/create", AWS);
        }
        Path config = settings().configFile();
        assertThat(Files.readString(config)).contains("type: aws", "secret_key: SK");
        assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        try (DstackServer server = start()) {
            JsonNode info = post(server, "/api/project/main/backends/aws/config_info", null);
            assertThat(info.path("reply")).isEqualTo(ApiServer.json(AWS));
            post(server, "/api/project/main/backends/delete", "{\"backends_names\":[\"aws\"]}");
        }

        try (DstackServer server = start()) {
            JsonNode project = post(server, "/api/projects/main/get", null);
            assertThat(project.path("reply").path("backends")).isEmpty();
        }
    }
}
