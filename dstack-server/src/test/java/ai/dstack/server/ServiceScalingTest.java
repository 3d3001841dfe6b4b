package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.testing.SettableClock;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Autoscaling by the request rate the proxy measures, with a clock the test moves forward instead of waiting out
 * {@code scale_up_delay} and {@code scale_down_delay}.
 */
class ServiceScalingTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static final SettableClock clock = SettableClock.offsetFromSystem();
    private static ApiServer api;
    private static ServiceFixture services;

    @BeforeAll
    static void start() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.dstack.core.internal.services.ServiceNetwork.namespacesWork(),
                "two replicas on one port need network namespaces (unshare -n as root)");
        api = ApiServer.start(dir, ai.dstack.server.DstackServer.DEFAULT_MAX_REQUEST_SIZE, clock);
        services = new ServiceFixture(api);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            ServiceFixture.stopAll(api);
            api.close();
        }
    }

    private static List<JsonNode> active(String run) {
        return ServiceFixture.replicas(services.get(run)).stream()
                .filter(job -> job.path("status").asText().matches("submitted|provisioning|pulling|running")).toList();
    }

    @Test
    void theRequestRateAddsAReplicaAndItsDropRemovesOneAfterTheDelay() {
        services.apply(ServiceFixture.service("scaled", "1", ",\"auth\":false,\"replicas\":\"1..2\""
                + ",\"scaling\":{\"metric\":\"rps\",\"target\":1,\"window\":\"60s\",\"scale_up_delay\":\"30s\",\"scale_down_delay\":\"120s\"}"));
        String root = "/proxy/services/main/scaled/";
        await().atMost(WAIT).until(() -> services.get(root, null).code() == 200);
        assertThat(active("scaled")).hasSize(1);

        // Past scale_up_delay, 150 requests in the 60 s window: 2.5 rps against a target of 1 per replica.
        clock.advance(Duration.ofSeconds(31));
        for (int i = 0; i < 150; i++) {
            assertThat(services.get(root, null).code()).isEqualTo(200);
        }
        await().atMost(WAIT).until(() -> active("scaled").size() == 2
                && active("scaled").stream().allMatch(job -> job.path("status").asText().equals("running")));

        // The window empties; only after scale_down_delay since the last scaling does a replica go.
        clock.advance(Duration.ofSeconds(121));
        await().atMost(WAIT).until(() -> active("scaled").size() == 1);
        JsonNode run = services.get("scaled");
        assertThat(run.path("status").asText()).isEqualTo("running");
        assertThat(ServiceFixture.replicas(run)).anySatisfy(job -> {
            assertThat(job.path("termination_reason").asText()).isEqualTo("scaled_down");
            assertThat(job.path("status").asText()).isIn("terminating", "terminated");
        });
        services.stop("scaled");
    }
}
