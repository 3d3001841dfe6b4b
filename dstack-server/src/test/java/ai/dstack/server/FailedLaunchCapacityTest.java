package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that fails to start gives its blocks back, and a server that starts counts busy blocks from the jobs that
 * hold them: no leak (of a bug, a crash, an older version) leaves the local fleet full with nothing running.
 */
class FailedLaunchCapacityTest {
    private static final String P = "/api/project/main/";

    @TempDir
    Path dir;

    @Test
    void runsThatFailToStartLeaveTheFleetFree() throws Exception {
        try (ApiServer api = ApiServer.start(dir, engine -> engine.localBlocks(2))) {
            String archive = uploadArchive(api);
            for (int i = 0; i < 3; i++) {
                JsonNode bad = apply(api, "bad-" + i, "\"file_archives\":[{\"id\":\"" + archive
                        + "\",\"path\":\"/etc/f.txt\"}],", "true");
                assertThat(bad.path("status").asText()).isEqualTo("failed");
                assertThat(LocalFleetSecurityTest.latest(bad).path("termination_reason_message").asText())
                        .contains("files: '/etc/f.txt'");
            }

            JsonNode good = apply(api, "good", "", "echo ok");

            assertThat(good.path("status").asText()).as("%s", good).isEqualTo("done");
        }
    }

    @Test
    void busyBlocksAreCountedFromTheActiveJobsAtStart() throws Exception {
        try (ApiServer api = ApiServer.start(dir, engine -> engine.localBlocks(2))) {
            assertThat(apply(api, "first", "", "echo ok").path("status").asText()).isEqualTo("done");
        }
        // What an earlier leak left behind: every block taken, no job running.
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("server/data/sqlite.db"));
                Statement statement = db.createStatement()) {
            assertThat(statement.executeUpdate("UPDATE instances SET busy_blocks = total_blocks, status = 'busy'"))
                    .isPositive();
        }

        try (ApiServer api = ApiServer.start(dir, engine -> engine.localBlocks(2))) {
            JsonNode again = apply(api, "again", "", "echo ok");

            assertThat(again.path("status").asText()).as("%s", again).isEqualTo("done");
        }
    }

    private static JsonNode apply(ApiServer api, String name, String extra, String command) {
        ObjectNode spec = ApiServer.json("{\"run_name\":\"" + name + "\"," + extra + "\"configuration\":{\"type\":\"task\","
                + "\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"},\"commands\":[\"" + command + "\"]}}");
        ObjectNode request = ApiServer.object();
        request.putObject("plan").set("run_spec", spec);
        request.put("force", false);
        ApiServer.Reply applied = api.post(P + "runs/apply", api.adminToken, request);
        assertThat(applied.status()).as("%s", applied).isEqualTo(200);
        return LocalFleetSecurityTest.awaitEnd(api, "main", api.adminToken, name);
    }

    private String uploadArchive(ApiServer api) throws Exception {
        Path local = Files.createDirectories(dir.resolve("files"));
        Files.writeString(local.resolve("f.txt"), "x");
        Process process = new ProcessBuilder("tar", "-cf", "-", "-C", local.toString(), "f.txt").start();
        byte[] tar = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tar));
        RequestBody body = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", hash, RequestBody.create(tar, MediaType.get("application/octet-stream")))
                .build();
        ApiServer.Reply uploaded = api.call("/api/files/upload_archive", api.adminToken, body, Map.of());
        assertThat(uploaded.status()).as("%s", uploaded).isEqualTo(200);
        return uploaded.body().path("id").asText();
    }
}
