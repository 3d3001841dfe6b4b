package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.core.internal.services.ServiceNetwork;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service proxy of a shared server, with replicas on the host's own network (where one can reach anything on
 * loopback, the server included): it keeps callers' tokens to itself, cannot be made to call itself without end, and
 * publishes only what a replica itself listens on.
 */
class ServiceProxySecurityTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static ServiceFixture services;

    @BeforeAll
    static void start() {
        System.setProperty(ServiceNetwork.NAMESPACES_PROPERTY, "off");
        try {
            api = ApiServer.start(dir);
        } finally {
            System.clearProperty(ServiceNetwork.NAMESPACES_PROPERTY);
        }
        services = new ServiceFixture(api);
    }

    @AfterAll
    static void stop() {
        ServiceFixture.stopAll(api);
        api.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static ObjectNode service(String name, String extra, int port) {
        ObjectNode configuration = ServiceFixture.service(name, "1", extra);
        configuration.put("port", port);
        ((ObjectNode) configuration.get("env")).put("PORT", Integer.toString(port));
        return configuration;
    }

    @Test
    void theCallersDstackTokenNeverReachesTheService() throws Exception {
        services.apply(service("headers", "", freePort()));
        await().atMost(WAIT).until(() -> services.get("/proxy/services/main/headers/headers", api.adminToken).code() == 200);

        ServiceFixture.Reply reply = services.get("/proxy/services/main/headers/headers", api.adminToken);

        assertThat(reply.body()).doesNotContain(api.adminToken).doesNotContainIgnoringCase("authorization")
                .contains("User-Agent: okhttp"); // the caller's other headers do pass
        services.stop("headers");
    }

    @Test
    void aServiceOnTheServersOwnPortIsNeverCalledAndTheServerStaysUp() {
        int own = api.server.port();
        ObjectNode configuration = ApiServer.json("{\"type\":\"service\",\"name\":\"itself\",\"port\":" + own
                + ",\"auth\":false,\"strip_prefix\":false,\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"},"
                + "\"commands\":[\"sleep 300\"]}");
        services.apply(configuration);
        await().atMost(WAIT).until(() -> services.get("itself").path("status").asText().equals("running"));

        for (int i = 0; i < 10; i++) {
            ServiceFixture.Reply reply = services.get("/proxy/services/main/itself/x", null);
            assertThat(reply.code()).as("%s", reply).isIn(404, 503, 508);
        }
        assertThat(services.get("/api/server/get_info", null).code()).isLessThan(500);
        assertThat(Thread.activeCount()).isLessThan(200);
        services.stop("itself");
    }

    @Test
    void aLoopThroughAServiceBackToTheProxyIsCut() throws Exception {
        ObjectNode configuration = service("loop", ",\"auth\":false", freePort());
        ((ObjectNode) configuration.get("env")).put("FORWARD_TO", api.server.url() + "/proxy/services/main/loop/forward");
        services.apply(configuration);
        await().atMost(WAIT).until(() -> services.get("/proxy/services/main/loop/headers", null).code() == 200);

        ServiceFixture.Reply reply = services.get("/proxy/services/main/loop/forward", null);

        assertThat(reply.code()).as("%s", reply).isEqualTo(508);
        assertThat(reply.body()).contains("Proxy loop detected");
        services.stop("loop");
    }

    @Test
    void aReplicaDoesNotPublishAHostServiceOnItsPort() throws Exception {
        HttpServer hostOnly = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hostOnly.createContext("/", exchange -> {
            byte[] body = "private-host-data".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        hostOnly.start();
        try {
            int port = hostOnly.getAddress().getPort();
            ObjectNode configuration = ApiServer.json("{\"type\":\"service\",\"name\":\"squatter\",\"port\":" + port
                    + ",\"auth\":false,\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"},\"commands\":[\"sleep 300\"]}");
            services.apply(configuration);
            await().atMost(WAIT).until(() -> services.get("squatter").path("status").asText().equals("running"));

            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < until) {
                ServiceFixture.Reply reply = services.get("/proxy/services/main/squatter/", null);
                assertThat(reply.body()).doesNotContain("private-host-data");
                Thread.sleep(200);
            }
            services.stop("squatter");
        } finally {
            hostOnly.stop(0);
        }
    }
}
