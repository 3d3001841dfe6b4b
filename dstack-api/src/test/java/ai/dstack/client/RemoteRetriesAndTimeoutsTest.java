package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.ErrorCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection failures are retried only where repeating cannot apply a change twice, and timeouts are not retried.
 * Every failure here is a real one on loopback: a dropped connection, a closed port, a stalled reply.
 */
class RemoteRetriesAndTimeoutsTest {
    private static final String SERVER_INFO = "{\"server_version\":\"0.21.2\"}";
    private static final String SECRET = "{\"id\":\"f1a2b3c4-d5e6-4f7a-8b9c-0d1e2f3a4b5c\",\"name\":\"A\",\"value\":\"1\"}";

    @RegisterExtension
    final FakeDstackServer server = new FakeDstackServer();

    /** The server accepts the connection and closes it at once, before answering. */
    private static MockResponse dropConnectionOnRequest() {
        return new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build();
    }

    @Test
    void aReadIsRetriedWhenTheServerDropsTheConnection() {
        server.enqueue(dropConnectionOnRequest());
        server.reply(SERVER_INFO);

        try (RemoteDstackClient client = server.client()) {
            assertThat(client.serverInfo().serverVersion()).isEqualTo("0.21.2");
        }
        assertThat(server.server().getRequestCount()).isEqualTo(2);
    }

    @Test
    void aWriteIsNotRepeatedOnceTheServerMayHaveSeenIt() {
        server.enqueue(dropConnectionOnRequest());
        server.reply(SECRET);

        try (RemoteDstackClient client = server.client()) {
            DstackConnectionException e = catchThrowableOfType(DstackConnectionException.class,
                    () -> client.setSecret("main", "A", "1"));

            assertThat(e.code()).isEqualTo(ErrorCode.ERROR);
            assertThat(e.attempts()).isEqualTo(1);
            assertThat(e.requestSent()).isTrue();
            assertThat(e.timedOut()).isFalse();
            assertThat(e.getMessage()).startsWith("The connection to the dstack server at " + server.url()
                    + " broke during POST /api/project/main/secrets/create_or_update").endsWith("check before repeating it.");
        }
        assertThat(server.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void aWriteIsResentWhenItsPooledConnectionHadBeenClosedByTheServer() {
        server.enqueue(new MockResponse.Builder().body(SERVER_INFO).onResponseEnd(SocketEffect.ShutdownConnection.INSTANCE).build());
        server.reply("null");

        try (RemoteDstackClient client = server.client()) {
            client.serverInfo();
            client.deleteSecrets("main", List.of("A"));
        }
        server.take();
        assertThat(server.take().getUrl().encodedPath()).isEqualTo("/api/project/main/secrets/delete");
    }

    @Test
    void aWriteIsRetriedWhenItNeverLeft() {
        AtomicInteger lookups = new AtomicInteger();
        Dns failingOnce = host -> {
            if (lookups.incrementAndGet() == 1) {
                throw new UnknownHostException(host + ": temporary failure in name resolution");
            }
            return Dns.SYSTEM.lookup(host);
        };
        server.reply(SECRET);

        try (RemoteDstackClient client = server.clientBuilder().okHttpClient(new OkHttpClient.Builder().dns(failingOnce).build()).build()) {
            assertThat(client.setSecret("main", "A", "1").name()).isEqualTo("A");
        }
        assertThat(lookups).hasValue(2);
        assertThat(server.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void aServerThatIsNotListeningIsReportedAfterTheConfiguredAttempts() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort;

        try (RemoteDstackClient client = RemoteDstackClient.builder().url(url).token("t").maxAttempts(3)
                .retryInterval(Duration.ofMillis(10)).build()) {
            DstackConnectionException e = catchThrowableOfType(DstackConnectionException.class, client::serverInfo);

            assertThat(e.attempts()).isEqualTo(3);
            assertThat(e.requestSent()).isFalse();
            assertThat(e.serverUrl()).isEqualTo(url);
            assertThat(e.getMessage()).startsWith("Cannot connect to the dstack server at " + url + " (tried 3 times): ");
        }
    }

    @Test
    void oneAttemptTurnsRetriesOff() {
        server.enqueue(dropConnectionOnRequest());
        server.reply(SERVER_INFO);

        try (RemoteDstackClient client = server.clientBuilder().maxAttempts(1).build()) {
            DstackConnectionException e = catchThrowableOfType(DstackConnectionException.class, client::serverInfo);

            assertThat(e.attempts()).isEqualTo(1);
        }
        assertThat(server.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void aStalledReplyHitsTheReadTimeoutAndIsNotRetried() {
        server.enqueue(new MockResponse.Builder().body(SERVER_INFO).onResponseStart(SocketEffect.Stall.INSTANCE).build());

        try (RemoteDstackClient client = server.clientBuilder().readTimeout(Duration.ofMillis(200)).build()) {
            DstackConnectionException e = catchThrowableOfType(DstackConnectionException.class, client::serverInfo);

            assertThat(e.timedOut()).isTrue();
            assertThat(e.requestSent()).isTrue();
            assertThat(e.attempts()).isEqualTo(1);
            assertThat(e.getMessage()).isEqualTo("The dstack server at " + server.url()
                    + " did not answer POST /api/server/get_info in time (read timeout 0.2s)");
        }
        assertThat(server.server().getRequestCount()).isEqualTo(1);
    }

    @Test
    void theCallTimeoutBoundsACallWhoseReplyTrickles() {
        server.enqueue(new MockResponse.Builder().body(" ".repeat(100) + SERVER_INFO)
                .throttleBody(1, 50, java.util.concurrent.TimeUnit.MILLISECONDS).build());

        try (RemoteDstackClient client = server.clientBuilder().readTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofMillis(300)).build()) {
            DstackConnectionException e = catchThrowableOfType(DstackConnectionException.class, client::serverInfo);

            assertThat(e.timedOut()).isTrue();
            assertThat(e.getMessage()).endsWith("in time (call timeout 0.3s)");
        }
    }

    @Test
    void aClosedClientRefusesCalls() {
        RemoteDstackClient client = server.client();
        client.close();
        client.close();

        assertThatThrownBy(client::serverInfo).isInstanceOf(IllegalStateException.class)
                .hasMessage("The dstack client for " + server.url() + " is closed");
    }

    @Test
    void closingAClientLeavesASharedOkHttpClientUsable() {
        OkHttpClient shared = new OkHttpClient();
        server.reply(SERVER_INFO);
        server.reply(SERVER_INFO);

        server.clientBuilder().okHttpClient(shared).build().close();
        try (RemoteDstackClient second = server.clientBuilder().okHttpClient(shared).build()) {
            assertThat(second.serverInfo().serverVersion()).isEqualTo("0.21.2");
        }
    }
}
