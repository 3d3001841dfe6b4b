package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.core.DstackEngine;
import java.io.IOException;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The UI's files over HTTP: served from the jar with caching headers, nothing else reachable, off when asked. */
class WebUiServingTest {
    @TempDir
    static Path dir;

    private static ApiServer api;
    private static final OkHttpClient HTTP = new OkHttpClient();

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static Response get(String url, String ifNoneMatch) throws IOException {
        Request.Builder request = new Request.Builder().url(url);
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return HTTP.newCall(request.build()).execute();
    }

    @Test
    void thePageAndItsFilesAreServedWithETagsAndRevalidated() throws IOException {
        String etag;
        try (Response page = get(api.server.url() + "/", null)) {
            assertThat(page.code()).isEqualTo(200);
            assertThat(page.header("Content-Type")).startsWith("text/html");
            assertThat(page.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(page.header("Content-Security-Policy")).contains("script-src 'self'");
            assertThat(page.body().string()).contains("<script type=\"module\" src=\"/ui/app.js\">");
        }
        try (Response script = get(api.server.url() + "/ui/pages/run.js", null)) {
            assertThat(script.code()).isEqualTo(200);
            assertThat(script.header("Content-Type")).startsWith("text/javascript");
            assertThat(script.header("X-Content-Type-Options")).isEqualTo("nosniff");
            etag = script.header("ETag");
            assertThat(etag).matches("\"[0-9a-f]{32}\"");
            assertThat(script.body().string()).contains("logs");
        }
        try (Response again = get(api.server.url() + "/ui/pages/run.js", etag)) {
            assertThat(again.code()).isEqualTo(304);
            assertThat(again.body().bytes()).isEmpty();
        }
        try (Response changed = get(api.server.url() + "/ui/pages/run.js", "\"0000\"")) {
            assertThat(changed.code()).isEqualTo(200);
        }
    }

    @Test
    void onlyTheUisOwnFilesAreServed() throws IOException {
        for (String path : new String[] {"/ui/missing.js", "/ui/../DstackServer.class", "/ui/%2e%2e/WebUi.class",
                "/ui/ai/dstack/server/DstackServer.class", "/ui/.hidden.js", "/ui/app.js.map"}) {
            try (Response response = get(api.server.url() + path, null)) {
                assertThat(response.code()).as(path).isEqualTo(404);
                assertThat(response.body().string()).as(path).doesNotContain("class").contains("Not Found");
            }
        }
        // The API is untouched: its routes answer as before.
        assertThat(api.post("/api/server/get_info", null, (String) null).status()).isEqualTo(200);
    }

    @Test
    void theUiCanBeTurnedOff() throws IOException {
        try (DstackServer off = DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(dir.resolve("off")).localFleet(false))
                .port(0).ui(false).build().start();
                Response page = get(off.url() + "/", null);
                Response script = get(off.url() + "/ui/app.js", null)) {
            assertThat(page.code()).isEqualTo(404);
            assertThat(script.code()).isEqualTo(404);
        }
    }
}
