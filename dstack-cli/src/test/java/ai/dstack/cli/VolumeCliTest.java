package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.json.DstackJson;
import ai.dstack.backend.aws.testing.AwsTestBackends;
import ai.dstack.backend.aws.testing.FakeEc2;
import ai.dstack.backend.aws.testing.FakeEc2Account;
import ai.dstack.backend.ssh.testing.FakeVmDiskTools;
import ai.dstack.cli.internal.CliEnvironment;
import ai.dstack.server.DstackServer;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Volumes through the real server over HTTP: {@code dstack apply -f vol.dstack.yml} shows the plan, creates the EBS
 * volume on the fake EC2 and waits until it is active; the REST routes answer with dstack's Volume JSON; a task that
 * mounts it runs on an AWS VM and sees it; {@code dstack volume} lists it and {@code dstack volume delete} removes it
 * from the cloud.
 */
class VolumeCliTest {
    @TempDir
    static Path dir;

    private static DstackServer server;
    private static CliEnvironment cli;
    private static FakeEc2Account account;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        account = FakeEc2.shared().newAccount().onVmStart(vm -> FakeVmDiskTools.install(vm.home()));
        server = TestServers.builder(dir).build().start();
        TestBackends.create(server, "main", AwsTestBackends.configuration(account, "main", null));
        cli = TestServers.cliFor(server, dir.resolve("home"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url().replaceAll("/$", "") + path))
                .header("Authorization", "Bearer " + server.engine().adminToken());
        request = body == null ? request.POST(HttpRequest.BodyPublishers.noBody())
                : request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return DstackJson.mapper().readTree(response.body());
    }

    @Test
    void aVolumeIsAppliedListedMountedByATaskAndDeleted() throws Exception {
        Path volumeFile = Files.writeString(dir.resolve("vol.dstack.yml"),
                "type: volume\nname: data\nbackend: aws\nregion: us-east-1\nsize: 20\n");
        CliRun apply = CliRun.in(cli, "apply", "-f", volumeFile.toString(), "-y");
        assertThat(apply.exitCode()).as("%s", apply).isZero();
        assertThat(apply.out()).contains("Type           volume", "Volume name    data", "Backend        aws",
                "Size           20GB", "Volume data submitted", "Volume data is active: vol-");

        // dstack's REST routes and JSON
        JsonNode listed = json(post("/api/project/main/volumes/list", null));
        assertThat(listed).hasSize(1);
        JsonNode volume = listed.get(0);
        assertThat(volume.path("name").asText()).isEqualTo("data");
        assertThat(volume.path("status").asText()).isEqualTo("active");
        assertThat(volume.path("project_name").asText()).isEqualTo("main");
        assertThat(volume.path("configuration").path("backend").asText()).isEqualTo("aws");
        assertThat(volume.path("configuration").path("size").asDouble()).isEqualTo(20.0);
        assertThat(volume.path("provisioning_data").path("backend").asText()).isEqualTo("aws");
        assertThat(volume.path("external").asBoolean()).isFalse();
        assertThat(volume.has("deleted_at") && volume.has("status_message") && volume.has("cost")).isTrue();
        String volumeId = volume.path("volume_id").asText();
        assertThat(account.volumes()).extracting(v -> v.id).containsExactly(volumeId);
        assertThat(json(post("/api/volumes/list", "{\"project_name\": \"main\", \"limit\": 10}")))
                .extracting(v -> v.path("name").asText()).containsExactly("data");
        assertThat(json(post("/api/project/main/volumes/get", "{\"name\": \"data\"}")).path("id").asText())
                .isEqualTo(volume.path("id").asText());
        HttpResponse<String> missing = post("/api/project/main/volumes/get", "{\"name\": \"nope\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("resource_not_exists");
        HttpResponse<String> duplicate = post("/api/project/main/volumes/create", "{\"configuration\": {\"type\":"
                + " \"volume\", \"name\": \"data\", \"backend\": \"aws\", \"region\": \"us-east-1\", \"size\": 5}}");
        assertThat(duplicate.statusCode()).isEqualTo(400);
        assertThat(duplicate.body()).contains("resource_exists");

        CliRun list = CliRun.in(cli, "volume");
        assertThat(list.exitCode()).as("%s", list).isZero();
        assertThat(list.out()).contains("NAME", "BACKEND", "REGION", "STATUS", "data", "aws", "us-east-1", "active");

        Path task = Files.writeString(dir.resolve("task.dstack.yml"), "type: task\nname: reads-data\n"
                + "volumes: [data:/workflow/data]\ncommands:\n  - echo device $(cat data/MOUNTED_DEVICE)\n");
        CliRun run = CliRun.in(cli, "apply", "-f", task.toString(), "-y");
        assertThat(run.exitCode()).as("%s", run).isZero();
        assertThat(run.out()).contains("aws", "device /dev/sd");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(CliRun.in(cli, "volume", "list").out())
                .contains("data").doesNotContain("reads-data-0"));

        CliRun unknown = CliRun.in(cli, "volume", "delete", "nope", "-y");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("not found");
        CliRun delete = CliRun.in(cli, "volume", "delete", "data", "-y");
        assertThat(delete.exitCode()).as("%s", delete).isZero();
        assertThat(delete.out()).contains("Volume data deleted");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(account.volumes()).isEmpty();
            assertThat(CliRun.in(cli, "volume").out()).doesNotContain("data");
        });
    }
}
