package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.core.internal.services.ServiceNetwork;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling update on a fleet the service fills: two replicas on a two-block local fleet leave no room for a surge
 * replica. The update must not fail the run nor stop the old replicas first; it rolls one replica at a time while the
 * other keeps serving.
 */
class RollingUpdateWithoutRoomTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PROBES = ",\"probes\":[{\"type\":\"http\",\"url\":\"/ready\",\"interval\":\"1s\","
            + "\"ready_after\":2}]";

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static ServiceFixture services;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(ServiceNetwork.namespacesWork(),
                "two replicas on one port need network namespaces (unshare -n as root)");
        api = ApiServer.startWithBlocks(dir, 2);
        services = new ServiceFixture(api);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            ServiceFixture.stopAll(api);
            api.close();
        }
    }

    @Test
    void theOldReplicasKeepServingWhileTheUpdateRollsOneReplicaAtATime() throws Exception {
        services.apply(ServiceFixture.service("full", "1", ",\"replicas\":2" + PROBES));
        String root = "/proxy/services/main/full/";
        Set<String> jobs = new HashSet<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            ServiceFixture.Reply reply = services.get(root, api.adminToken);
            if (reply.code() == 200) {
                jobs.add(reply.field("job"));
            }
            return jobs.size() == 2;
        });

        List<ServiceFixture.Reply> replies = Collections.synchronizedList(new ArrayList<>());
        List<String> runStatuses = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean going = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            while (going.get()) {
                replies.add(services.get(root, api.adminToken));
            }
        });
        load.start();
        try {
            JsonNode updated = services.apply(ServiceFixture.service("full", "2", ",\"replicas\":2" + PROBES));
            assertThat(updated.path("deployment_num").asInt()).isEqualTo(1);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode run = services.get("full");
                runStatuses.add(run.path("status").asText());
                List<JsonNode> active = ServiceFixture.replicas(run).stream()
                        .filter(job -> !job.path("status").asText().matches("terminated|failed|done|aborted")).toList();
                return run.path("status").asText().equals("failed") || active.size() == 2 && active.stream().allMatch(
                        job -> job.path("deployment_num").asInt() == 1 && job.path("status").asText().equals("running"));
            });
            int seen = replies.size();
            await().atMost(WAIT).until(() -> replies.size() > seen + 20);
        } finally {
            going.set(false);
            load.join();
        }
        assertThat(runStatuses).as("the run's statuses during the update").doesNotContain("failed", "terminating");
        assertThat(replies).allSatisfy(reply -> assertThat(reply.code()).as(reply.body()).isEqualTo(200));
        assertThat(replies.get(replies.size() - 1).field("version")).isEqualTo("2");
        services.stop("full");
    }
}
