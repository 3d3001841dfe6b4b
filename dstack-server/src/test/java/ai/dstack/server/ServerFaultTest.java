package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.core.DstackEngine;
import java.io.IOException;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the server itself fails, the client gets a generic 500, never a stack trace, and the server goes on. */
class ServerFaultTest {
    @TempDir
    Path dir;

    @Test
    void aBrokenEngineIsAGeneric500() throws IOException {
        DstackEngine engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).build();
        OkHttpClient http = new OkHttpClient();
        try (DstackServer server = DstackServer.builder().engine(engine).port(0).build().start()) {
            String token = engine.adminToken();
            engine.close(); // the database goes away under the server's feet

            Request list = new Request.Builder().url(server.url() + "/api/users/list")
                    .header("Authorization", "Bearer " + token).post(RequestBody.create("{}", ApiServer.JSON)).build();
            try (Response response = http.newCall(list).execute()) {
                assertThat(response.code()).isEqualTo(500);
                assertThat(response.body().string()).isEqualTo("{\"detail\":\"Internal Server Error\"}");
            }

            Request info = new Request.Builder().url(server.url() + "/api/server/get_info")
                    .post(RequestBody.create(new byte[0])).build();
            try (Response response = http.newCall(info).execute()) {
                assertThat(response.code()).as("routes that need no database still answer").isEqualTo(200);
            }
        } finally {
            http.connectionPool().evictAll();
        }
    }
}
