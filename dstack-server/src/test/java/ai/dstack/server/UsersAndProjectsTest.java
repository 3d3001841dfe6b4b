package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dstack's users and projects services through the API: tokens, soft deletion, members and their rules. */
class UsersAndProjectsTest {
    @TempDir
    static Path dir;

    private static ApiServer api;
    private static String admin;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
        admin = api.adminToken;
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static String msg(ApiServer.Reply reply) {
        JsonNode detail = reply.body().path("detail");
        return detail.isArray() ? detail.get(0).path("msg").asText() : reply.body().path("msg").asText();
    }

    private static List<String> memberNames(JsonNode project) {
        List<String> names = new ArrayList<>();
        project.path("members").forEach(m -> names.add(m.path("user").path("username").asText() + ":" + m.path("project_role").asText()));
        return names;
    }

    @Test
    void usersGetTokensThatWorkUntilRefreshedOrDeleted() {
        ApiServer.Reply created = api.post("/api/users/create", admin,
                "{\"username\":\"alice\",\"global_role\":\"user\",\"email\":\"alice@example.com\"}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(Shapes.USER.check(created.body())).isEmpty();
        assertThat(created.body().path("email").asText()).isEqualTo("alice@example.com");
        assertThat(api.post("/api/users/create", admin, "{\"username\":\"ALICE\",\"global_role\":\"user\"}").body().toString())
                .isEqualTo("{\"detail\":[{\"msg\":\"Resource exists\",\"code\":\"resource_exists\"}]}");
        assertThat(msg(api.post("/api/users/create", admin, "{\"username\":\"no spaces\",\"global_role\":\"user\"}")))
                .isEqualTo("Username should match regex '^[a-zA-Z0-9-_]{1,60}$'");

        String token = api.post("/api/users/get_user", admin, "{\"username\":\"alice\"}").body().path("creds").path("token").asText();
        ApiServer.Reply me = api.post("/api/users/get_my_user", token, (String) null);
        assertThat(me.body().path("username").asText()).isEqualTo("alice");
        assertThat(me.body().path("ssh_private_key").asText()).contains("PRIVATE KEY");
        ApiServer.Reply seen = api.post("/api/users/list", token, (String) null);
        assertThat(seen.body()).extracting(u -> u.path("username").asText()).containsExactly("alice");

        ApiServer.Reply refreshed = api.post("/api/users/refresh_token", token, "{\"username\":\"alice\"}");
        String newToken = refreshed.body().path("creds").path("token").asText();
        assertThat(newToken).isNotEqualTo(token);
        assertThat(api.post("/api/users/get_my_user", token, (String) null).status()).isEqualTo(403);
        assertThat(api.post("/api/users/get_my_user", newToken, (String) null).status()).isEqualTo(200);

        ApiServer.Reply updated = api.post("/api/users/update", admin, "{\"username\":\"alice\",\"global_role\":\"admin\"}");
        assertThat(updated.body().path("global_role").asText()).isEqualTo("admin");
        assertThat(updated.body().path("email").isNull()).isTrue();

        assertThat(msg(api.post("/api/users/delete", admin, "{\"users\":[\"admin\"]}"))).isEqualTo("User 'admin' cannot be deleted");
        assertThat(msg(api.post("/api/users/delete", admin, "{\"users\":[\"alice\",\"ghost\"]}")))
                .isEqualTo("Failed to delete non-existent users");
        assertThat(api.post("/api/users/delete", admin, "{\"users\":[\"alice\"]}").status()).isEqualTo(200);
        assertThat(api.post("/api/users/get_my_user", newToken, (String) null).status()).isEqualTo(403);
        assertThat(api.post("/api/users/list", admin, (String) null).body())
                .extracting(u -> u.path("username").asText()).doesNotContain("alice");
        assertThat(api.post("/api/users/create", admin, "{\"username\":\"alice\",\"global_role\":\"user\"}").status())
                .as("the name is free again").isEqualTo(200);
    }

    @Test
    void projectsHaveMembersWithDstacksRules() {
        String bob = Role.createUser(api, "bob");
        String carol = Role.createUser(api, "carol");
        String dave = Role.createUser(api, "dave");

        ApiServer.Reply created = api.post("/api/projects/create", bob, "{\"project_name\":\"team\"}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(Shapes.PROJECT.check(created.body())).isEmpty();
        assertThat(memberNames(created.body())).containsExactly("bob:admin");
        assertThat(api.post("/api/projects/create", carol, "{\"project_name\":\"TEAM\"}").body().path("detail").get(0)
                .path("code").asText()).isEqualTo("resource_exists");
        assertThat(msg(api.post("/api/projects/create", bob, "{\"project_name\":\"bad name\"}")))
                .isEqualTo("Project name should match regex '^[a-zA-Z0-9-_]{1,50}$'");

        // bob (admin) adds carol as manager; carol may add users but not admins, nor change who the admins are.
        assertThat(api.post("/api/projects/team/add_members", bob, "{\"members\":[" + Role.member("carol", "manager") + "]}").status())
                .isEqualTo(200);
        ApiServer.Reply noAdmins = api.post("/api/projects/team/add_members", carol, "{\"members\":[" + Role.member("dave", "admin") + "]}");
        assertThat(noAdmins.status()).isEqualTo(403);
        assertThat(noAdmins.body().toString())
                .isEqualTo("{\"msg\":\"Access denied: only global admins can add project admins\",\"code\":null}");
        assertThat(api.post("/api/projects/team/add_members", carol, "{\"members\":[" + Role.member("dave", "user") + "]}").status())
                .isEqualTo(200);
        ApiServer.Reply changeAdmins = api.post("/api/projects/team/set_members", carol, "{\"members\":["
                + Role.member("carol", "admin") + "," + Role.member("bob", "admin") + "]}");
        assertThat(msg(changeAdmins)).isEqualTo("Access denied: changing project admins");
        assertThat(msg(api.post("/api/projects/team/add_members", bob, "{\"members\":[" + Role.member("nobody", "user") + "]}")))
                .isEqualTo("User not found: nobody");
        assertThat(msg(api.post("/api/projects/team/add_members", bob, "{\"members\":[" + Role.member("dave", "user") + ","
                + Role.member("dave", "manager") + "]}"))).isEqualTo("Cannot add same user multiple times");
        ApiServer.Reply team = api.post("/api/projects/team/get", dave, (String) null);
        assertThat(memberNames(team.body())).containsExactlyInAnyOrder("bob:admin", "carol:manager", "dave:user");
        assertThat(team.body().path("members")).anySatisfy(m -> {
            assertThat(m.path("user").path("username").asText()).isEqualTo("bob");
            assertThat(m.path("permissions").path("can_manage_secrets").asBoolean()).isTrue();
        });

        // Leaving: any member may leave, but not the last admin; a user cannot remove others.
        assertThat(msg(api.post("/api/projects/team/remove_members", dave, "{\"usernames\":[\"carol\"]}")))
                .isEqualTo("Access denied: insufficient permissions to remove members");
        assertThat(msg(api.post("/api/projects/team/remove_members", bob, "{\"usernames\":[\"bob\"]}")))
                .isEqualTo("Cannot leave project: you are the last admin");
        assertThat(api.post("/api/projects/team/remove_members", dave, "{\"usernames\":[\"dave\"]}").status()).isEqualTo(200);
        assertThat(api.post("/api/projects/team/get", dave, (String) null).status()).isEqualTo(403);

        // A non-admin deletes only projects it administers; main has a fleet, so not even the admin deletes it.
        assertThat(api.post("/api/projects/delete", carol, "{\"projects_names\":[\"team\"]}").status()).isEqualTo(403);
        assertThat(msg(api.post("/api/projects/delete", admin, "{\"projects_names\":[\"main\"]}")))
                .isEqualTo("Failed to delete project with active fleets: ['local']");
        assertThat(api.post("/api/projects/delete", bob, "{\"projects_names\":[\"team\"]}").status()).isEqualTo(200);
        assertThat(api.post("/api/projects/team/get", bob, (String) null).status()).isEqualTo(404);
        assertThat(api.post("/api/projects/create", bob, "{\"project_name\":\"team\"}").status()).isEqualTo(200);
    }

    @Test
    void aPublicProjectCanBeJoinedAsUserOnlyByTheJoinerItself() {
        String erin = Role.createUser(api, "erin");
        String frank = Role.createUser(api, "frank");
        assertThat(api.post("/api/projects/create", erin, "{\"project_name\":\"open\",\"is_public\":true}").status()).isEqualTo(200);

        assertThat(api.post("/api/projects/open/get", frank, (String) null).status()).as("public projects are visible").isEqualTo(200);
        assertThat(api.post("/api/projects/list", frank, (String) null).body())
                .extracting(p -> p.path("project_name").asText()).contains("open");
        assertThat(api.post("/api/projects/list", frank, "{\"include_not_joined\":false}").body())
                .extracting(p -> p.path("project_name").asText()).doesNotContain("open");
        assertThat(msg(api.post("/api/projects/open/add_members", frank, "{\"members\":[" + Role.member("frank", "admin") + "]}")))
                .isEqualTo("Access denied: can only join public projects as user role");
        assertThat(api.post("/api/projects/open/add_members", frank, "{\"members\":[" + Role.member("frank", "user") + "]}").status())
                .isEqualTo(200);
        assertThat(api.post("/api/project/open/runs/list", frank, "{}").status()).as("no such route").isEqualTo(404);
        assertThat(api.post("/api/runs/list", frank, "{\"project_name\":\"open\"}").status()).isEqualTo(200);
    }
}
