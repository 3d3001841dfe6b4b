package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.instance.InstanceStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.backend.ssh.testing.TestSshServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service whose replica runs on an SSH fleet's host (a MINA SSH server on 127.0.0.2): the server's proxy reaches
 * the replica's port on that host's loopback through an SSH tunnel, end to end over HTTP.
 */
class SshFleetServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private ApiServer api;
    private TestSshServer host;
    private TestSshServer other;

    @AfterEach
    void stop() throws Exception {
        if (api != null) {
            ServiceFixture.stopAll(api);
            api.close();
        }
        if (host != null) {
            host.close();
        }
        if (other != null) {
            other.close();
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void theProxyReachesAReplicaOnAnSshHostThroughATunnel() throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        host = TestSshServer.startAt(Files.createDirectories(dir.resolve("host")), "127.0.0.2", 0,
                List.of(Files.readString(Path.of(key + ".pub")).strip()));
        api = ApiServer.start(dir, engine -> engine.localFleet(false));
        api.server.engine().applyFleet(DstackYaml.parse("type: fleet\nname: edge\nssh_config:\n  user: ubuntu\n"
                + "  identity_file: " + key + "\n  hosts:\n    - {hostname: 127.0.0.2, port: " + host.port() + "}\n",
                "fleet.dstack.yml", FleetConfiguration.class));
        await().atMost(WAIT).until(() -> api.server.engine().getFleet("main", "edge").instances(),
                list -> list.size() == 1 && list.get(0).status() == InstanceStatus.IDLE);
        ServiceFixture services = new ServiceFixture(api);
        int port = freePort();
        ObjectNode configuration = ServiceFixture.service("remote-svc", "7", ",\"auth\":false");
        configuration.put("port", port);
        ((ObjectNode) configuration.get("env")).put("PORT", Integer.toString(port));

        services.apply(configuration);

        ServiceFixture.Reply reply = await().atMost(WAIT).until(
                () -> services.get("/proxy/services/main/remote-svc/hello?x=1", null), r -> r.code() == 200);
        JsonNode replica = ServiceFixture.replicas(services.get("remote-svc")).get(0);
        assertThat(replica.path("job_provisioning_data").path("hostname").asText()).isEqualTo("127.0.0.2");
        assertThat(reply.field("job")).isEqualTo(replica.path("id").asText());
        assertThat(reply.field("version")).isEqualTo("7");
        assertThat(reply.field("path")).isEqualTo("/hello?x=1");
        assertThat(host.home().resolve(".dstack-jvm/jobs")).as("the replica runs on the SSH host")
                .isDirectoryContaining(p -> !p.getFileName().toString().startsWith("."));
    }

    @Test
    void replicasOnOnePortGoToDistinctSshHostsAndOneMoreWaitsForThePort() throws Exception {
        Path key = TestSshServer.keygen(dir, "id_ed25519", "ed25519", false, "");
        List<String> authorized = List.of(Files.readString(Path.of(key + ".pub")).strip());
        host = TestSshServer.startAt(Files.createDirectories(dir.resolve("host")), "127.0.0.2", 0, authorized);
        other = TestSshServer.startAt(Files.createDirectories(dir.resolve("other")), "127.0.0.3", 0, authorized);
        api = ApiServer.start(dir, engine -> engine.localFleet(false));
        api.server.engine().applyFleet(DstackYaml.parse("type: fleet\nname: edge\nssh_config:\n  user: ubuntu\n"
                + "  identity_file: " + key + "\n  hosts:\n    - {hostname: 127.0.0.2, port: " + host.port()
                + ", blocks: 2}\n    - {hostname: 127.0.0.3, port: " + other.port() + ", blocks: 2}\n",
                "fleet.dstack.yml", FleetConfiguration.class));
        await().atMost(WAIT).until(() -> api.server.engine().getFleet("main", "edge").instances(),
                list -> list.size() == 2 && list.stream().allMatch(i -> i.status() == InstanceStatus.IDLE));
        ServiceFixture services = new ServiceFixture(api);
        int port = freePort();
        ObjectNode configuration = ServiceFixture.service("same-port", "1", ",\"auth\":false,\"replicas\":3");
        configuration.put("port", port);
        ((ObjectNode) configuration.get("env")).put("PORT", Integer.toString(port));

        services.apply(configuration);

        // Each host has room for two replicas but one port: the third replica waits instead of failing to bind.
        await().atMost(WAIT).until(() -> ServiceFixture.replicas(services.get("same-port")),
                replicas -> replicas.stream().filter(job -> job.path("status").asText().equals("running")).count() == 2
                        && replicas.stream().anyMatch(job -> job.path("status").asText().equals("submitted")
                                && job.path("termination_reason_message").asText().startsWith("Waiting for port "
                                        + port + " on fleet edge: host ")));
        List<JsonNode> replicas = ServiceFixture.replicas(services.get("same-port"));
        assertThat(replicas.stream().filter(job -> job.path("status").asText().equals("running"))
                .map(job -> job.path("job_provisioning_data").path("hostname").asText()))
                .as("one replica per host").containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3");
        assertThat(replicas).extracting(job -> job.path("status").asText())
                .containsExactlyInAnyOrder("running", "running", "submitted");
        assertThat(replicas).filteredOn(job -> job.path("status").asText().equals("submitted")).singleElement()
                .satisfies(job -> assertThat(job.path("termination_reason_message").asText())
                        .endsWith("cannot give replicas their own network, and another replica listens on that port"));
        services.stop("same-port");
    }
}
