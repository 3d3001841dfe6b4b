package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSH fleets through dstack's fleets API, as dstack's CLI calls it (the key's contents in {@code ssh_key}), with a
 * host that cannot be reached: the instance stays pending with the reason in words. The SSH transport is found on
 * the class path (dstack-backend-ssh).
 */
class SshFleetsApiTest {
    private static final String P = "/api/project/main/";

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static String closedPort;

    @BeforeAll
    static void start() throws IOException {
        api = ApiServer.start(dir);
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = Integer.toString(socket.getLocalPort()); // nothing listens there once it is closed
        }
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String spec(String name, String... hosts) throws IOException {
        String key = new String(SshFleetsApiTest.class.getResourceAsStream("/ssh/test_ed25519").readAllBytes())
                .replace("\n", "\\n");
        StringBuilder json = new StringBuilder("{\"configuration\":{\"type\":\"fleet\",\"name\":\"" + name
                + "\",\"ssh_config\":{\"user\":\"ubuntu\",\"identity_file\":\"~/.ssh/id\",\"ssh_key\":{\"public\":\"ssh-ed25519 AAAA\","
                + "\"private\":\"" + key + "\"},\"hosts\":[");
        for (int i = 0; i < hosts.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"hostname\":\"127.0.0.1\",\"port\":").append(hosts[i]).append('}');
        }
        return json.append("]}},\"profile\":{\"name\":\"default\"}}").toString();
    }

    @Test
    void planApplyAndDeleteAnSshFleet() throws IOException {
        ApiServer.Reply plan = api.post(P + "fleets/get_plan", api.adminToken, "{\"spec\":" + spec("edge", closedPort) + "}");
        assertThat(plan.status()).as("%s", plan).isEqualTo(200);
        assertThat(plan.body().path("action").asText()).isEqualTo("create");
        assertThat(plan.body().path("spec").path("configuration").path("ssh_config").path("ssh_key").path("private")
                .isNull()).as("the plan never carries the private key").isTrue();

        ApiServer.Reply apply = api.post(P + "fleets/apply", api.adminToken, "{\"plan\":{\"spec\":"
                + spec("edge", closedPort) + ",\"current_resource\":null},\"force\":false}");
        assertThat(apply.status()).as("%s", apply).isEqualTo(200);
        assertThat(apply.body().path("name").asText()).isEqualTo("edge");
        assertThat(apply.body().path("instances").get(0).path("status").asText()).isEqualTo("pending");
        assertThat(apply.body().toString()).doesNotContain("OPENSSH PRIVATE KEY");

        JsonNode instance = await().atMost(Duration.ofSeconds(60)).until(() -> api.post(P + "fleets/get",
                api.adminToken, "{\"name\":\"edge\"}").body().path("instances").get(0),
                i -> !i.path("termination_reason_message").isNull());
        assertThat(instance.path("status").asText()).isEqualTo("pending");
        assertThat(instance.path("termination_reason_message").asText())
                .startsWith("Cannot connect to ubuntu@127.0.0.1:" + closedPort + ": ");

        ApiServer.Reply update = api.post(P + "fleets/get_plan", api.adminToken, "{\"spec\":" + spec("edge", closedPort) + "}");
        assertThat(update.body().path("action").asText()).isEqualTo("update");
        assertThat(update.body().path("current_resource").path("name").asText()).isEqualTo("edge");

        ApiServer.Reply taken = api.post(P + "fleets/apply", api.adminToken, "{\"plan\":{\"spec\":"
                + spec("other", closedPort) + "},\"force\":false}");
        assertThat(taken.status()).isEqualTo(400);
        assertThat(taken.body().path("detail").get(0).path("msg").asText())
                .isEqualTo("Instances [127.0.0.1] are already assigned to a fleet.");

        ApiServer.Reply deleteInstances = api.post(P + "fleets/delete_instances", api.adminToken,
                "{\"name\":\"edge\",\"instance_nums\":[0]}");
        assertThat(deleteInstances.status()).as("%s", deleteInstances).isEqualTo(200);
        assertThat(api.post(P + "fleets/get", api.adminToken, "{\"name\":\"edge\"}").body().path("instances")).isEmpty();

        ApiServer.Reply delete = api.post(P + "fleets/delete", api.adminToken, "{\"names\":[\"edge\"]}");
        assertThat(delete.status()).as("%s", delete).isEqualTo(200);
        assertThat(api.post(P + "fleets/get", api.adminToken, "{\"name\":\"edge\"}").status()).isEqualTo(400);
    }

    @Test
    void theLocalFleetCannotBeDeletedOrReplaced() throws IOException {
        ApiServer.Reply delete = api.post(P + "fleets/delete", api.adminToken, "{\"names\":[\"local\"]}");
        assertThat(delete.status()).isEqualTo(400);
        assertThat(delete.body().path("detail").get(0).path("msg").asText()).contains("is the server's own host");

        ApiServer.Reply apply = api.post(P + "fleets/apply", api.adminToken, "{\"plan\":{\"spec\":"
                + spec("local", closedPort) + "},\"force\":false}");
        assertThat(apply.status()).isEqualTo(400);
        assertThat(apply.body().path("detail").get(0).path("msg").asText()).contains("Fleet name local is taken");
    }
}
