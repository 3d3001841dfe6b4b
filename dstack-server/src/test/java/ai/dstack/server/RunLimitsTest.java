package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.core.LocalFleetAccess;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One user's queue cannot fill a project, nor one project the server: active and queued runs are limited. */
class RunLimitsTest {
    @TempDir
    Path dir;

    private static ApiServer.Reply submit(ApiServer api, String token, String name) {
        ObjectNode spec = ApiServer.json("{\"run_name\":\"" + name + "\",\"configuration\":{\"type\":\"task\","
                + "\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"},\"commands\":[\"sleep 120\"]}}");
        ObjectNode request = ApiServer.object();
        request.putObject("plan").set("run_spec", spec);
        request.put("force", false);
        return api.post("/api/project/main/runs/apply", token, request);
    }

    @Test
    void runsPastTheUsersOrTheProjectsLimitAreRefusedUntilOneFinishes() {
        try (ApiServer api = ApiServer.start(dir, engine -> engine.runLimits(2, 3)
                .localFleet(LocalFleetAccess.MEMBERS))) {
            String alice = Role.createUser(api, "alice");
            assertThat(api.post("/api/projects/main/add_members", api.adminToken,
                    "{\"members\":[" + Role.member("alice", "user") + "]}").status()).isEqualTo(200);
            try {
                assertThat(submit(api, api.adminToken, "a1").status()).isEqualTo(200);
                assertThat(submit(api, api.adminToken, "a2").status()).isEqualTo(200);
                ApiServer.Reply third = submit(api, api.adminToken, "a3");
                assertThat(third.status()).as("%s", third).isEqualTo(400);
                assertThat(third.body().toString()).contains("DSTACK_SERVER_MAX_ACTIVE_RUNS_PER_USER=2");

                assertThat(submit(api, alice, "b1").status()).isEqualTo(200); // another user has room of her own
                ApiServer.Reply full = submit(api, alice, "b2");
                assertThat(full.status()).as("%s", full).isEqualTo(400);
                assertThat(full.body().toString()).contains("DSTACK_SERVER_MAX_ACTIVE_RUNS_PER_PROJECT=3");

                api.post("/api/project/main/runs/stop", api.adminToken, "{\"runs_names\":[\"a1\"],\"abort\":true}");
                await().atMost(Duration.ofSeconds(60)).until(() -> List.of("terminated", "failed", "done").contains(
                        api.post("/api/project/main/runs/get", api.adminToken, "{\"run_name\":\"a1\"}").body()
                                .path("status").asText()));
                assertThat(submit(api, api.adminToken, "a3").status()).isEqualTo(200);
            } finally {
                ServiceFixture.stopAll(api);
            }
        }
    }
}
