package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.core.testing.PodmanTestImage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service with `image:` in a real podman container on the host's network, reached through the server's proxy;
 * stopping it removes its container.
 */
class ContainerServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static ServiceFixture services;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        image = PodmanTestImage.require();
        api = ApiServer.start(dir);
        services = new ServiceFixture(api);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            ServiceFixture.stopAll(api);
            api.close();
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aServiceInAContainerIsProxiedAndItsContainerGoesWhenStopped() throws Exception {
        int port = freePort();
        ObjectNode configuration = ServiceFixture.service("boxed", "7", ",\"image\":\"" + image + "\"");
        configuration.put("port", port);
        ((ObjectNode) configuration.get("env")).put("PORT", Integer.toString(port));

        services.apply(configuration);
        String root = "/proxy/services/main/boxed/";
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> services.get(root + "hello", api.adminToken).code() == 200);

        ServiceFixture.Reply reply = services.get(root + "hello", api.adminToken);
        assertThat(reply.field("version")).isEqualTo("7");
        assertThat(reply.field("path")).isEqualTo("/hello");
        JsonNode job = ServiceFixture.replicas(services.get("boxed")).get(0);
        String jobId = job.path("id").asText();
        assertThat(reply.field("job")).isEqualTo(jobId);
        String container = "dstack-job-" + jobId;
        assertThat(podman("container", "exists", container)).isZero();

        services.stop("boxed");
        await().atMost(WAIT).until(() -> services.get("boxed").path("status").asText().equals("terminated")
                || services.get("boxed").path("status").asText().equals("aborted"));
        await().atMost(WAIT).until(() -> podman("container", "exists", container) != 0);
    }

    static int podman(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("podman"));
        command.addAll(java.util.List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.waitFor();
        return process.exitValue();
    }
}
