package ai.dstack.server;

import ai.dstack.api.json.DstackJson;
import ai.dstack.core.DstackEngine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A real server on a loopback port over a real engine on a temp-dir SQLite file, with an OkHttp client speaking
 * dstack's protocol to it. One per test class: close it when done.
 */
final class ApiServer implements AutoCloseable {
    static final MediaType JSON = MediaType.get("application/json");

    final DstackServer server;
    final OkHttpClient http;
    final String adminToken;

    private ApiServer(DstackServer server) {
        this.server = server;
        this.adminToken = server.engine().adminToken();
        this.http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).retryOnConnectionFailure(false).build();
    }

    static ApiServer start(Path dir) {
        return start(dir, DstackServer.DEFAULT_MAX_REQUEST_SIZE);
    }

    static ApiServer start(Path dir, long maxRequestSize) {
        return start(dir, maxRequestSize, java.time.Clock.systemUTC());
    }

    /** A server whose local fleet has only {@code blocks} blocks (to fill it on purpose). */
    static ApiServer startWithBlocks(Path dir, int blocks) {
        DstackEngine.Builder engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(blocks)
                .sweepInterval(Duration.ofMillis(500));
        return new ApiServer(DstackServer.builder().engine(engine).port(0).build().start());
    }

    /**
     * A server that samples its running jobs' metrics every {@code interval} (dstack's 10 s is slow for a test), its
     * engine set up further by {@code custom}.
     */
    static ApiServer startSampling(Path dir, Duration interval,
            java.util.function.UnaryOperator<DstackEngine.Builder> custom) {
        var defaults = ai.dstack.core.MetricsSettings.DSTACK;
        DstackEngine.Builder engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(16)
                .sweepInterval(Duration.ofMillis(500)).metrics(new ai.dstack.core.MetricsSettings(interval,
                        defaults.runningTtl(), defaults.finishedTtl(), defaults.eventsTtl()));
        return new ApiServer(DstackServer.builder().engine(custom.apply(engine)).port(0).build().start());
    }

    /** A server whose engine keeps time by {@code clock} (a test's settable clock). */
    static ApiServer start(Path dir, long maxRequestSize, java.time.Clock clock) {
        return start(dir, maxRequestSize, clock, engine -> engine);
    }

    /** A server whose engine {@code custom} configures further (e.g. who may use the local fleet). */
    static ApiServer start(Path dir, java.util.function.UnaryOperator<DstackEngine.Builder> custom) {
        return start(dir, DstackServer.DEFAULT_MAX_REQUEST_SIZE, java.time.Clock.systemUTC(), custom);
    }

    static ApiServer start(Path dir, long maxRequestSize, java.time.Clock clock,
            java.util.function.UnaryOperator<DstackEngine.Builder> custom) {
        DstackEngine.Builder engine = custom.apply(DstackEngine.builder().serverDirectory(dir.resolve("server"))
                .localBlocks(16).sweepInterval(Duration.ofMillis(500)).clock(clock));
        DstackServer server = DstackServer.builder().engine(engine).port(0).maxRequestSize(maxRequestSize).build().start();
        return new ApiServer(server);
    }

    /** A reply: status and JSON body. */
    record Reply(int status, JsonNode body, Map<String, java.util.List<String>> headers) {
        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    Reply post(String path, String token, String body) {
        return call(path, token, body == null ? null : RequestBody.create(body, JSON), Map.of());
    }

    Reply post(String path, String token, JsonNode body) {
        return post(path, token, body == null ? null : body.toString());
    }

    Reply call(String path, String token, RequestBody body, Map<String, String> headers) {
        Request.Builder request = new Request.Builder().url(server.url() + path)
                .post(body == null ? RequestBody.create(new byte[0]) : body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return execute(request.build());
    }

    Reply execute(Request request) {
        try (Response response = http.newCall(request).execute()) {
            String text = response.body().string();
            JsonNode json = text.isEmpty() ? null : DstackJson.mapper().readTree(text);
            return new Reply(response.code(), json, response.headers().toMultimap());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.url() + " failed", e);
        }
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) DstackJson.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode object() {
        return DstackJson.mapper().createObjectNode();
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        server.close();
    }
}
