package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.json.WireSamples;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A MockWebServer on a random loopback port per test that answers with dstack's JSON, and records what the client
 * sent. Register with {@code @RegisterExtension}.
 */
final class FakeDstackServer implements BeforeEachCallback, AfterEachCallback {
    static final String TOKEN = "bbae0f28-d3dd-4820-bf61-8f4bb40815da";

    private MockWebServer server;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        server.close();
    }

    MockWebServer server() {
        return server;
    }

    /** e.g. {@code http://localhost:41234} without a trailing slash. */
    String url() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    /** A client of this server with the test token, project {@code main}, and fast retries. */
    RemoteDstackClient.Builder clientBuilder() {
        return RemoteDstackClient.builder().url(url()).token(TOKEN).defaultProject("main").retryInterval(Duration.ofMillis(10));
    }

    RemoteDstackClient client() {
        return clientBuilder().build();
    }

    void reply(String json) {
        reply(200, json);
    }

    void reply(int status, String json) {
        server.enqueue(new MockResponse.Builder().code(status).setHeader("Content-Type", "application/json").body(json).build());
    }

    void replySample(String sample) {
        reply(WireSamples.text(sample));
    }

    void enqueue(MockResponse response) {
        server.enqueue(response);
    }

    /** The next request the server received; fails if none came. */
    RecordedRequest take() {
        try {
            RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
            assertThat(request).as("a request reached the server").isNotNull();
            return request;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Takes the next request, checks it is dstack's POST to {@code path} with the test token, and returns it. */
    RecordedRequest takePost(String path) {
        RecordedRequest request = take();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo(path);
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.getHeaders().get("X-API-VERSION")).isEqualTo(RemoteDstackClient.DEFAULT_API_VERSION);
        return request;
    }

    /** The JSON body of a request, which must declare itself as JSON. */
    static JsonNode json(RecordedRequest request) {
        assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
        return tree(request.getBody().utf8());
    }

    static JsonNode tree(String json) {
        try {
            return DstackJson.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
