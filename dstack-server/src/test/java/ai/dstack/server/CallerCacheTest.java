package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.core.app.ServerStatistics.DatabaseWork;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server keeps the users, projects and roles that requests look up (a short while), and forgets them the moment
 * one changes through it: each check below uses a token right before the change, so that it is kept, and right after.
 */
class CallerCacheTest {
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

    private static int myUser(String token) {
        return api.post("/api/users/get_my_user", token, (String) null).status();
    }

    private static int listFleets(String project, String token) {
        return api.post("/api/project/" + project + "/fleets/list", token, (String) null).status();
    }

    @Test
    void aRefreshedTokenIsRefusedAtOnce() {
        String token = Role.createUser(api, "cache-refresh");
        assertThat(myUser(token)).isEqualTo(200);

        String fresh = api.post("/api/users/refresh_token", admin, "{\"username\":\"cache-refresh\"}").body()
                .path("creds").path("token").asText();

        assertThat(myUser(token)).isEqualTo(403);
        assertThat(myUser(fresh)).isEqualTo(200);
    }

    @Test
    void aDeactivatedOrDeletedUserIsRefusedAtOnce() {
        String deactivated = Role.createUser(api, "cache-inactive");
        String deleted = Role.createUser(api, "cache-deleted");
        assertThat(myUser(deactivated)).isEqualTo(200);
        assertThat(myUser(deleted)).isEqualTo(200);

        assertThat(api.post("/api/users/update", admin,
                "{\"username\":\"cache-inactive\",\"global_role\":\"user\",\"active\":false}").status()).isEqualTo(200);
        assertThat(api.post("/api/users/delete", admin, "{\"users\":[\"cache-deleted\"]}").status()).isEqualTo(200);

        assertThat(myUser(deactivated)).isEqualTo(403);
        assertThat(myUser(deleted)).isEqualTo(403);
    }

    @Test
    void aRemovedMemberOrADemotedManagerIsRefusedAtOnce() {
        String owner = Role.createUser(api, "cache-owner");
        String member = Role.createUser(api, "cache-member");
        assertThat(api.post("/api/projects/create", owner, "{\"project_name\":\"cache-team\"}").status()).isEqualTo(200);
        assertThat(api.post("/api/projects/cache-team/add_members", owner,
                "{\"members\":[" + Role.member("cache-member", "manager") + "]}").status()).isEqualTo(200);
        Role.createUser(api, "cache-extra");
        assertThat(listFleets("cache-team", member)).isEqualTo(200);
        String addMember = "{\"members\":[" + Role.member("cache-extra", "user") + "]}";
        assertThat(api.post("/api/projects/cache-team/add_members", member, addMember).status())
                .as("a manager may add members").isEqualTo(200);

        assertThat(api.post("/api/projects/cache-team/set_members", owner, "{\"members\":["
                + Role.member("cache-owner", "admin") + "," + Role.member("cache-member", "user") + "]}").status())
                .isEqualTo(200);
        assertThat(api.post("/api/projects/cache-team/add_members", member, addMember).status())
                .as("a user may not add members").isEqualTo(403);
        assertThat(listFleets("cache-team", member)).isEqualTo(200);

        assertThat(api.post("/api/projects/cache-team/remove_members", owner, "{\"usernames\":[\"cache-member\"]}")
                .status()).isEqualTo(200);
        assertThat(listFleets("cache-team", member)).isEqualTo(403);
    }

    @Test
    void aDeletedProjectIsNotFoundAtOnceAndANewOneIsFoundAtOnce() {
        String owner = Role.createUser(api, "cache-projects");
        assertThat(listFleets("cache-gone", owner)).as("no such project yet").isEqualTo(404);
        assertThat(api.post("/api/projects/create", owner, "{\"project_name\":\"cache-gone\"}").status()).isEqualTo(200);
        assertThat(listFleets("cache-gone", owner)).isEqualTo(200);

        assertThat(api.post("/api/projects/delete", owner, "{\"projects_names\":[\"cache-gone\"]}").status())
                .isEqualTo(200);

        assertThat(listFleets("cache-gone", owner)).isEqualTo(404);
    }

    @Test
    void aRepeatedRequestDoesNotLookItsCallerUpAgain() {
        String token = Role.createUser(api, "cache-repeat");
        DatabaseWork before = api.server.engine().statistics().databaseWork();
        assertThat(myUser(token)).isEqualTo(200);
        long first = api.server.engine().statistics().databaseWork().minus(before).statements();
        // Twenty more: the user is kept (for minutes on SQLite), so at least one of them costs no lookup.
        java.util.List<Long> repeated = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            DatabaseWork start = api.server.engine().statistics().databaseWork();
            assertThat(myUser(token)).isEqualTo(200);
            repeated.add(api.server.engine().statistics().databaseWork().minus(start).statements());
        }
        assertThat(java.util.Collections.min(repeated))
                .as("statements of repeated get_my_user calls %s (the first took %d)", repeated, first).isLessThan(first);
    }
}
