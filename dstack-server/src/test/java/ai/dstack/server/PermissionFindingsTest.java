package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.core.DefaultPermissions;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.RequestBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Permission holes found by trying the server as a team would: two users, two projects, real HTTP. */
class PermissionFindingsTest {
    @TempDir
    Path dir;

    private static String fleetSpec(String name, String identityFile, boolean withKey) throws IOException {
        String port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = Integer.toString(socket.getLocalPort()); // nothing listens there once it is closed
        }
        String key = new String(PermissionFindingsTest.class.getResourceAsStream("/ssh/test_ed25519").readAllBytes(),
                StandardCharsets.UTF_8).replace("\n", "\\n");
        return "{\"configuration\":{\"type\":\"fleet\",\"name\":\"" + name + "\",\"ssh_config\":{\"user\":\"ubuntu\","
                + "\"identity_file\":\"" + identityFile + "\""
                + (withKey ? ",\"ssh_key\":{\"public\":\"ssh-ed25519 AAAA\",\"private\":\"" + key + "\"}" : "")
                + ",\"hosts\":[{\"hostname\":\"127.0.0.1\",\"port\":" + port + "}]}},\"profile\":{\"name\":\"default\"}}";
    }

    private static ApiServer.Reply applyFleet(ApiServer api, String project, String token, String spec) {
        return api.post("/api/project/" + project + "/fleets/apply", token,
                "{\"plan\":{\"spec\":" + spec + "},\"force\":false}");
    }

    @Test
    void aRunUnpacksOnlyItsOwnUsersArchives() throws Exception {
        try (ApiServer api = ApiServer.start(dir)) {
            String alice = Role.createUser(api, "alice");
            String bob = Role.createUser(api, "bob");
            assertThat(api.post("/api/projects/create", bob, "{\"project_name\":\"bobs\"}").status()).isEqualTo(200);
            byte[] content = "alice's private data".getBytes(StandardCharsets.UTF_8);
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            RequestBody body = new MultipartBody.Builder().setType(MultipartBody.FORM).addFormDataPart("file", hash,
                    RequestBody.create(content, MediaType.get("application/octet-stream"))).build();
            String archive = api.call("/api/files/upload_archive", alice, body, Map.of()).body().path("id").asText();

            ObjectNode spec = ApiServer.json("{\"run_name\":\"steal\",\"file_archives\":[{\"id\":\"" + archive
                    + "\",\"path\":\"loot\"}],\"configuration\":{\"type\":\"task\",\"commands\":[\"cat loot\"]}}");
            ObjectNode request = ApiServer.object();
            request.putObject("plan").set("run_spec", spec);
            request.put("force", false);
            ApiServer.Reply stolen = api.post("/api/project/bobs/runs/apply", bob, request);

            assertThat(stolen.status()).as("%s", stolen).isEqualTo(400);
            assertThat(stolen.body().toString()).contains("File archive " + archive + " not found");
        }
    }

    @Test
    void aManagerCannotDemoteTheAdminAndNoProjectIsLeftWithoutOne() {
        try (ApiServer api = ApiServer.start(dir)) {
            var tokens = Role.setUp(api, "team");
            String manager = tokens.get(Role.MANAGER);

            ApiServer.Reply demote = api.post("/api/projects/team/add_members", manager,
                    "{\"members\":[" + Role.member(Role.PROJECT_ADMIN_NAME, "user") + "]}");
            assertThat(demote.status()).as("%s", demote).isEqualTo(403);
            ApiServer.Reply remove = api.post("/api/projects/team/remove_members", manager,
                    "{\"usernames\":[\"" + Role.PROJECT_ADMIN_NAME + "\"]}");
            assertThat(remove.status()).as("%s", remove).isEqualTo(403);

            // The global admin created "team" and is its admin too; with padmin, two admins. Leave one, then none.
            assertThat(api.post("/api/projects/team/add_members", api.adminToken,
                    "{\"members\":[" + Role.member("admin", "user") + "]}").status()).isEqualTo(200);
            ApiServer.Reply lastAdmin = api.post("/api/projects/team/add_members", tokens.get(Role.PROJECT_ADMIN),
                    "{\"members\":[" + Role.member(Role.PROJECT_ADMIN_NAME, "user") + "]}");
            assertThat(lastAdmin.status()).as("%s", lastAdmin).isEqualTo(400);
            assertThat(lastAdmin.body().toString()).contains("at least one admin");
            ApiServer.Reply noAdmins = api.post("/api/projects/team/set_members", api.adminToken,
                    "{\"members\":[" + Role.member(Role.MANAGER_NAME, "manager") + "]}");
            assertThat(noAdmins.status()).as("%s", noAdmins).isEqualTo(400);
            assertThat(api.post("/api/projects/team/get", api.adminToken, (String) null).body().toString())
                    .contains("\"project_role\":\"admin\"");
        }
    }

    @Test
    void onlyAGlobalAdminMakesTheServerReadAKeyFileOfItsOwn() throws Exception {
        try (ApiServer api = ApiServer.start(dir)) {
            String user = Role.createUser(api, "plain");
            assertThat(api.post("/api/projects/main/add_members", api.adminToken,
                    "{\"members\":[" + Role.member("plain", "admin") + "]}").status()).isEqualTo(200);

            ApiServer.Reply probe = applyFleet(api, "main", user, fleetSpec("probe", "/etc/shadow", false));
            assertThat(probe.status()).as("%s", probe).isEqualTo(403);
            assertThat(probe.body().toString()).contains("ssh_config.identity_file", "global admin");
            ApiServer.Reply planned = api.post("/api/project/main/fleets/get_plan", user,
                    "{\"spec\":" + fleetSpec("probe", "/etc/shadow", false) + "}");
            assertThat(planned.status()).as("%s", planned).isEqualTo(403);

            // The key's contents, as dstack's CLI sends them, are fine; so is a path from a global admin.
            assertThat(applyFleet(api, "main", user, fleetSpec("with-key", "~/.ssh/id", true)).status()).isEqualTo(200);
            ApiServer.Reply admins = applyFleet(api, "main", api.adminToken, fleetSpec("admins", "/nonexistent/key", false));
            assertThat(admins.body().toString()).doesNotContain("global admin").contains("Cannot read identity_file");
            api.post("/api/project/main/fleets/delete", api.adminToken, "{\"names\":[\"with-key\"]}");
        }
    }

    @Test
    void withoutAllowNonAdminsManageSshFleetsOnlyAdminsAddAndRemoveThem() throws Exception {
        try (ApiServer api = ApiServer.start(dir, engine -> engine.defaultPermissions(
                new DefaultPermissions(true, false, false)))) {
            var tokens = Role.setUp(api, "team");
            String user = tokens.get(Role.USER);
            // What the project shows: the member may not manage SSH fleets.
            assertThat(api.post("/api/projects/team/get", user, (String) null).body().toString())
                    .contains("\"can_manage_ssh_fleets\":false");

            ApiServer.Reply created = applyFleet(api, "team", user, fleetSpec("edge", "~/.ssh/id", true));
            assertThat(created.status()).as("%s", created).isEqualTo(403);
            assertThat(applyFleet(api, "team", tokens.get(Role.PROJECT_ADMIN), fleetSpec("edge", "~/.ssh/id", true))
                    .status()).isEqualTo(200);
            ApiServer.Reply deleted = api.post("/api/project/team/fleets/delete", user, "{\"names\":[\"edge\"]}");
            assertThat(deleted.status()).as("%s", deleted).isEqualTo(403);
            assertThat(api.post("/api/project/team/fleets/delete", tokens.get(Role.PROJECT_ADMIN),
                    "{\"names\":[\"edge\"]}").status()).isEqualTo(200);
        }
    }
}
