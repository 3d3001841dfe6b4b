package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint called by a global admin, a project admin, a manager, a user, a non-member and a bad token, with
 * the status (and, for 403, the body shape) dstack's permission rules (dstack-api.md §1.3) give.
 *
 * <p>Expectations read {@code GLOBAL_ADMIN PROJECT_ADMIN MANAGER USER NON_MEMBER BAD_TOKEN}. {@code 403} is a
 * permission dependency's denial ({@code {"detail":{"msg":...}}}), {@code 403s} a service's {@code ForbiddenError}
 * ({@code {"msg":...}} without {@code detail}); 400 means the call passed the checks and failed on its (harmless)
 * arguments.
 */
class PermissionMatrixTest {
    private static final String P = "/api/project/proj/";
    private static final String TASK = "{\"type\":\"task\",\"commands\":[\"echo hi\"],\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"}}";

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static Map<Role, String> tokens;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
        tokens = Role.setUp(api, "proj");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    static Stream<Arguments> endpoints() {
        String everyMember = "{\"members\":[" + Role.member("admin", "admin") + "," + Role.member(Role.PROJECT_ADMIN_NAME, "admin")
                + "," + Role.member(Role.MANAGER_NAME, "manager") + "," + Role.member(Role.USER_NAME, "user") + "]}";
        String uuid4 = "\"" + UUID.randomUUID() + "\"";
        return Stream.of(
                row("/api/server/get_info", null, "200 200 200 200 200 200"),
                row("/api/backends/list_types", null, "200 200 200 200 200 200"),
                row("/api/auth/list_providers", null, "200 200 200 200 200 200"),
                row("/api/users/list", null, "200 200 200 200 200 403"),
                row("/api/users/get_my_user", null, "200 200 200 200 200 403"),
                row("/api/users/get_user", "{\"username\":\"puser\"}", "200 400 400 200 400 403"),
                row("/api/users/create", "{\"username\":\"made-by-{role}\",\"global_role\":\"user\"}", "200 403 403 403 403 403"),
                row("/api/users/update", "{\"username\":\"outsider\",\"global_role\":\"user\"}", "200 403 403 403 403 403"),
                row("/api/users/refresh_token", "{\"username\":\"zz-nobody\"}", "400 403 403 403 403 403"),
                row("/api/users/refresh_ssh_key", "{\"username\":\"zz-nobody\"}", "400 403 403 403 403 403"),
                row("/api/users/delete", "{\"users\":[\"zz-nobody\"]}", "400 403 403 403 403 403"),
                row("/api/projects/list", null, "200 200 200 200 200 403"),
                row("/api/projects/create", "{\"project_name\":\"by-{role}\"}", "200 200 200 200 200 403"),
                row("/api/projects/delete", "{\"projects_names\":[\"zz-none\"]}", "400 403s 403s 403s 403s 403"),
                row("/api/projects/proj/get", null, "200 200 200 200 403 403"),
                row("/api/projects/proj/set_members", everyMember, "200 200 200 403 403 403"),
                row("/api/projects/proj/add_members", "{\"members\":[" + Role.member("puser", "user") + "]}", "200 200 200 403 403 403"),
                row("/api/projects/proj/remove_members", "{\"usernames\":[\"zz-nobody\"]}", "400 400 400 403s 403 403"),
                row("/api/projects/zz-none/get", null, "404 404 404 404 404 403"),
                row("/api/runs/list", "{}", "200 200 200 200 200 403"),
                row(P + "runs/get", "{\"run_name\":\"zz-none\"}", "400 400 400 400 403 403"),
                row(P + "runs/get_plan", "{\"run_spec\":{\"configuration\":" + TASK + "}}", "200 200 200 200 403 403"),
                row(P + "runs/apply", "{\"plan\":{\"run_spec\":{\"run_name\":\"Bad_Name\",\"configuration\":" + TASK + "}},\"force\":false}",
                        "400 400 400 400 403 403"),
                row(P + "runs/stop", "{\"runs_names\":[\"zz-none\"],\"abort\":false}", "200 200 200 200 403 403"),
                row(P + "runs/delete", "{\"runs_names\":[\"zz-none\"]}", "200 200 200 200 403 403"),
                row("/api/project/zz-none/runs/get", "{\"run_name\":\"x\"}", "404 404 404 404 404 403"),
                row(P + "logs/poll", "{\"run_name\":\"zz-none\",\"job_submission_id\":" + uuid4 + "}", "200 200 200 200 403 403"),
                row(P + "secrets/list", null, "200 200 403s 403 403 403"),
                row(P + "secrets/get", "{\"name\":\"zz\"}", "400 400 403s 403 403 403"),
                row(P + "secrets/create_or_update", "{\"name\":\"S1\",\"value\":\"v\"}", "200 200 403s 403 403 403"),
                row(P + "secrets/delete", "{\"secrets_names\":[\"zz\"]}", "400 400 403s 403 403 403"),
                row(P + "repos/list", null, "200 200 200 200 403 403"),
                row(P + "repos/get", "{\"repo_id\":\"zz\",\"include_creds\":false}", "400 400 400 400 403 403"),
                row(P + "repos/init", "{\"repo_id\":\"r-{role}\",\"repo_info\":{\"repo_type\":\"virtual\"}}", "200 200 200 200 403 403"),
                row(P + "repos/delete", "{\"repos_ids\":[\"zz\"]}", "200 200 200 200 403 403"),
                row(P + "fleets/list", null, "200 200 200 200 403 403"),
                row(P + "fleets/get", "{\"name\":\"zz\"}", "400 400 400 400 403 403"),
                row(P + "fleets/get_plan", "{\"spec\":{\"configuration\":{\"type\":\"fleet\"}}}", "400 400 400 400 403 403"),
                row(P + "fleets/apply", "{\"plan\":{\"spec\":{}},\"force\":false}", "400 400 400 400 403 403"),
                row(P + "fleets/delete", "{\"names\":[\"zz\"]}", "400 400 400 400 403 403"),
                row(P + "fleets/delete_instances", "{\"name\":\"zz\",\"instance_nums\":[0]}", "400 400 400 400 403 403"),
                row("/api/fleets/list", "{}", "200 200 200 200 200 403"),
                row("/api/instances/list", "{}", "200 200 200 200 200 403"),
                row(P + "instances/get", "{\"id\":" + uuid4 + "}", "400 400 400 400 403 403"),
                row("/api/projects/proj/update", "{\"is_public\":false}", "200 200 403 403 403 403"),
                row("/api/projects/list_only_no_fleets", null, "200 200 200 200 200 403"),
                row("/api/users/public_keys/list", null, "200 200 200 200 200 403"),
                row("/api/users/public_keys/add", "{\"key\":\"not a key\"}", "400 400 400 400 400 403"),
                row("/api/users/public_keys/delete", "{\"ids\":[" + uuid4 + "]}", "200 200 200 200 200 403"),
                row("/api/files/get_archive_by_hash", "{\"hash\":\"zz\"}", "400 400 400 400 400 403"),
                row(P + "volumes/list", null, "200 200 200 200 403 403"),
                row(P + "volumes/get", "{\"name\":\"zz\"}", "400 400 400 400 403 403"),
                row("/api/volumes/list", "{}", "200 200 200 200 200 403"),
                row(P + "exports/list", null, "200 200 200 200 403 403"),
                row(P + "exports/delete", "{\"name\":\"zz\"}", "400 400 403 403 403 403"),
                row(P + "imports/list", null, "200 200 200 200 403 403"),
                row(P + "templates/list", null, "200 200 200 200 403 403"),
                row(P + "gpus/list", "{\"run_spec\":{\"configuration\":" + TASK + "}}", "200 200 200 200 403 403"),
                row("/api/events/list", "{}", "200 200 200 200 200 403"),
                row(P + "instances/get_instance_health_checks", "{\"fleet_name\":\"zz\",\"instance_num\":0}",
                        "200 200 200 200 403 403"));
    }

    private static Arguments row(String path, String body, String expected) {
        return Arguments.of(path, body, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpoints")
    void eachRoleGetsDstacksAnswer(String path, String body, String expected) {
        String[] wanted = expected.split(" ");
        List<String> got = new ArrayList<>();
        List<String> details = new ArrayList<>();
        for (Role role : Role.all()) {
            String roleBody = body == null ? null : body.replace("{role}", role.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            ApiServer.Reply reply = api.post(path, tokens.get(role), roleBody);
            got.add(label(reply));
            details.add(role + ": " + reply);
        }
        assertThat(String.join(" ", got)).as("%s\n%s", path, String.join("\n", details)).isEqualTo(String.join(" ", wanted));
    }

    /** The status, with {@code s} for a 403 without dstack's {@code detail} wrapper. */
    private static String label(ApiServer.Reply reply) {
        if (reply.status() == 403) {
            JsonNode body = reply.body();
            return body != null && body.has("detail") ? "403" : "403s";
        }
        return Integer.toString(reply.status());
    }
}
