package ai.dstack.server;

import static ai.dstack.server.Shape.INTEGER;
import static ai.dstack.server.Shape.STRING;
import static ai.dstack.server.Shape.arrayOf;
import static ai.dstack.server.Shape.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reply of every endpoint carries every field dstack's client needs, with the right JSON types
 * ({@link Shapes}, from dstack-api.md §4–§5). A finished run is there first, so runs, jobs, submissions and their
 * provisioning data are all checked filled in, not only empty.
 */
class ContractTest {
    private static final String P = "/api/project/main/";
    private static final String TASK = "{\"type\":\"task\",\"name\":\"contract-run\",\"commands\":[\"echo contract\"],"
            + "\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"}}";

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static String admin;
    private static JsonNode run;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
        admin = api.adminToken;
        ApiServer.Reply applied = api.post(P + "runs/apply", admin,
                "{\"plan\":{\"run_spec\":{\"run_name\":\"contract-run\",\"configuration\":" + TASK + "}},\"force\":false}");
        assertThat(applied.status()).as("%s", applied).isEqualTo(200);
        assertShape(applied, Shapes.RUN);
        await().atMost(Duration.ofSeconds(60)).until(() -> (run = post(P + "runs/get", "{\"run_name\":\"contract-run\"}"))
                .path("status").asText().matches("done|failed|terminated"));
        assertThat(run.path("status").asText()).as("%s", run).isEqualTo("done");
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static JsonNode post(String path, String body) {
        return api.post(path, admin, body).body();
    }

    private static JsonNode assertShape(ApiServer.Reply reply, Shape shape) {
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(shape.check(reply.body())).as("%s", reply).isEmpty();
        return reply.body();
    }

    private static JsonNode check(String path, String body, Shape shape) {
        return assertShape(api.post(path, admin, body), shape);
    }

    @Test
    void serverAndBackends() {
        check("/api/server/get_info", null, Shapes.SERVER_INFO);
        check("/api/backends/list_types", null, arrayOf(STRING));
        check("/api/auth/list_providers", null, arrayOf(object("Provider")));
    }

    @Test
    void users() {
        check("/api/users/list", null, arrayOf(Shapes.USER));
        check("/api/users/list", "{\"return_total_count\":true}",
                object("UsersInfoList").with("total_count", INTEGER).with("users", arrayOf(Shapes.USER)));
        check("/api/users/get_my_user", null, Shapes.USER_WITH_CREDS);
        check("/api/users/create", "{\"username\":\"contract-user\",\"global_role\":\"user\"}", Shapes.USER);
        check("/api/users/get_user", "{\"username\":\"contract-user\"}", Shapes.USER_WITH_CREDS);
        check("/api/users/update", "{\"username\":\"contract-user\",\"global_role\":\"user\",\"email\":\"c@example.com\"}", Shapes.USER);
        check("/api/users/refresh_token", "{\"username\":\"contract-user\"}", Shapes.USER_WITH_CREDS);
        check("/api/users/refresh_ssh_key", "{\"username\":\"contract-user\"}", Shapes.USER_WITH_CREDS);
        assertThat(check("/api/users/delete", "{\"users\":[\"contract-user\"]}", Shape.ANY.orNull()).isNull()).isTrue();
    }

    @Test
    void projects() {
        check("/api/projects/list", null, arrayOf(Shapes.PROJECT));
        check("/api/projects/list", "{\"return_total_count\":true}",
                object("ProjectsInfoList").with("total_count", INTEGER).with("projects", arrayOf(Shapes.PROJECT)));
        check("/api/projects/create", "{\"project_name\":\"contract\"}", Shapes.PROJECT);
        JsonNode project = check("/api/projects/main/get", null, Shapes.PROJECT);
        assertThat(project.path("members")).isNotEmpty();
        Role.createUser(api, "contract-member");
        check("/api/projects/contract/add_members", "{\"members\":[" + Role.member("contract-member", "user") + "]}", Shapes.PROJECT);
        check("/api/projects/contract/set_members", "{\"members\":[" + Role.member("admin", "admin") + ","
                + Role.member("contract-member", "manager") + "]}", Shapes.PROJECT);
        check("/api/projects/contract/remove_members", "{\"usernames\":[\"contract-member\"]}", Shapes.PROJECT);
        assertThat(check("/api/projects/delete", "{\"projects_names\":[\"contract\"]}", Shape.ANY.orNull()).isNull()).isTrue();
    }

    @Test
    void runsJobsSubmissionsAndPlans() {
        assertThat(Shapes.RUN.check(run)).isEmpty();
        JsonNode submission = run.path("jobs").get(0).path("job_submissions").get(0);
        assertThat(submission.path("job_provisioning_data").isObject()).as("provisioning data is filled in").isTrue();
        assertThat(run.path("fleet").path("name").asText()).isEqualTo("local");

        check("/api/runs/list", "{}", arrayOf(Shapes.RUN));
        check("/api/runs/list", "{\"include_jobs\":false}", arrayOf(Shapes.RUN));
        check(P + "runs/get", "{\"id\":\"" + run.path("id").asText() + "\"}", Shapes.RUN);
        JsonNode plan = check(P + "runs/get_plan", "{\"run_spec\":{\"run_name\":\"contract-run\",\"configuration\":" + TASK + "}}",
                Shapes.RUN_PLAN);
        assertThat(plan.path("current_resource").path("id")).isEqualTo(run.path("id"));
        assertThat(plan.path("job_plans").get(0).path("offers")).isNotEmpty();
        check(P + "logs/poll", "{\"run_name\":\"contract-run\",\"job_submission_id\":\"" + submission.path("id").asText() + "\"}",
                Shapes.LOGS);
        assertThat(check(P + "runs/stop", "{\"runs_names\":[\"contract-run\"],\"abort\":true}", Shape.ANY.orNull()).isNull()).isTrue();
    }

    @Test
    void secretsAndRepos() {
        check(P + "secrets/create_or_update", "{\"name\":\"K\",\"value\":\"v\"}", Shapes.SECRET);
        check(P + "secrets/list", null, arrayOf(Shapes.SECRET));
        check(P + "secrets/get", "{\"name\":\"K\"}", Shapes.SECRET);
        assertThat(check(P + "repos/init", "{\"repo_id\":\"r\",\"repo_info\":{\"repo_type\":\"local\",\"repo_dir\":\"/src\"}}",
                Shape.ANY.orNull()).isNull()).isTrue();
        check(P + "repos/list", null, arrayOf(Shapes.REPO_HEAD));
        check(P + "repos/get", "{\"repo_id\":\"r\",\"include_creds\":true}", Shapes.REPO_HEAD_WITH_CREDS);
    }

    @Test
    void fleetsAndInstances() {
        JsonNode fleets = check(P + "fleets/list", "{\"include_imported\":true}", arrayOf(Shapes.FLEET));
        assertThat(fleets).hasSize(1);
        assertThat(fleets.get(0).path("instances")).hasSize(1);
        check("/api/fleets/list", "{}", arrayOf(Shapes.FLEET));
        check(P + "fleets/get", "{\"name\":\"local\"}", Shapes.FLEET);
        check(P + "fleets/get", "{\"id\":\"" + fleets.get(0).path("id").asText() + "\"}", Shapes.FLEET);
        JsonNode instances = check("/api/instances/list", "{}", arrayOf(Shapes.INSTANCE));
        assertThat(instances).hasSize(1);
        check(P + "instances/get", "{\"id\":\"" + instances.get(0).path("id").asText() + "\"}", Shapes.INSTANCE);
        ApiServer.Reply noPlan = api.post(P + "fleets/get_plan", admin, "{\"spec\":{\"configuration\":{\"type\":\"fleet\"}}}");
        assertThat(noPlan.status()).isEqualTo(400);
        assertThat(Shapes.CLIENT_ERROR.check(noPlan.body())).isEmpty();
        assertThat(noPlan.body().path("detail").get(0).path("msg").asText()).contains("not supported");
    }

    @Test
    void errors() {
        ApiServer.Reply clientError = api.post(P + "runs/get", admin, "{}");
        assertThat(clientError.status()).isEqualTo(400);
        assertThat(Shapes.CLIENT_ERROR.check(clientError.body())).isEmpty();
        assertThat(clientError.body().path("detail").get(0).path("msg").asText()).isEqualTo("run_name or id must be specified");
        ApiServer.Reply validation = api.post(P + "runs/get", admin, "{\"id\":5}");
        assertThat(validation.status()).isEqualTo(422);
        assertThat(Shapes.VALIDATION_ERROR.check(validation.body())).isEmpty();
    }
}
