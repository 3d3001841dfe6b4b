package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.core.internal.services.ServiceNetwork;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where replicas cannot have their own network namespaces, they listen on the host's ports: the proxy reaches a
 * replica there, and a second replica on the same port waits instead of failing to bind.
 */
class SharedNetworkServiceTest {
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

    @Test
    void theSecondReplicaOnAPortWaitsForIt() throws Exception {
        int port = freePort();
        var configuration = ServiceFixture.service("shared", "1", ",\"auth\":false,\"replicas\":2");
        configuration.put("port", port);
        ((com.fasterxml.jackson.databind.node.ObjectNode) configuration.get("env")).put("PORT", Integer.toString(port));
        services.apply(configuration);

        await().atMost(WAIT).until(() -> services.get("/proxy/services/main/shared/", null).code() == 200);
        await().atMost(WAIT).until(() -> ServiceFixture.replicas(services.get("shared")).stream()
                .anyMatch(job -> job.path("status").asText().equals("submitted")
                        && job.path("termination_reason_message").asText().startsWith("Waiting for port " + port)));
        JsonNode run = services.get("shared");
        List<JsonNode> replicas = ServiceFixture.replicas(run);
        assertThat(replicas).extracting(job -> job.path("status").asText()).containsExactlyInAnyOrder("running", "submitted");
        assertThat(run.path("status").asText()).isEqualTo("running");
        services.stop("shared");
    }
}
