package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs through the API as dstack's CLI drives them: plan, apply, poll, logs, stop, delete; real processes. */
class RunsEndToEndTest {
    private static final String P = "/api/project/main/";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SMALL = "\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"}";

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static String token;

    @BeforeAll
    static void start() {
        api = ApiServer.start(dir);
        token = api.adminToken;
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    private static ObjectNode task(String name, String... commands) {
        StringBuilder json = new StringBuilder("{\"type\":\"task\",");
        if (name != null) {
            json.append("\"name\":\"").append(name).append("\",");
        }
        json.append(SMALL).append(",\"commands\":[");
        for (int i = 0; i < commands.length; i++) {
            json.append(i == 0 ? "" : ",").append(ApiServer.object().textNode(commands[i]));
        }
        return ApiServer.json(json.append("]}").toString());
    }

    /** dstack's CLI flow: repos/init, runs/get_plan, runs/apply with the plan's spec and current resource. */
    private static JsonNode apply(ObjectNode configuration) {
        ApiServer.Reply init = api.post(P + "repos/init", token,
                "{\"repo_id\":\"none\",\"repo_info\":{\"repo_type\":\"virtual\"},\"repo_creds\":null}");
        assertThat(init.status()).as("%s", init).isEqualTo(200);
        ObjectNode spec = ApiServer.object();
        spec.put("run_name", configuration.path("name").asText(null));
        spec.put("configuration_path", "task.dstack.yml");
        spec.set("configuration", configuration);
        ObjectNode planRequest = ApiServer.object();
        planRequest.set("run_spec", spec);
        ApiServer.Reply plan = api.post(P + "runs/get_plan", token, planRequest);
        assertThat(plan.status()).as("%s", plan).isEqualTo(200);
        ObjectNode applyRequest = ApiServer.object();
        ObjectNode applyPlan = applyRequest.putObject("plan");
        applyPlan.set("run_spec", plan.body().get("run_spec"));
        applyPlan.set("current_resource", plan.body().get("current_resource"));
        applyRequest.put("force", false);
        ApiServer.Reply run = api.post(P + "runs/apply", token, applyRequest);
        assertThat(run.status()).as("%s", run).isEqualTo(200);
        assertThat(Shapes.RUN.check(run.body())).isEmpty();
        return run.body();
    }

    private static JsonNode get(String runName) {
        ApiServer.Reply run = api.post(P + "runs/get", token, "{\"run_name\":\"" + runName + "\",\"id\":null}");
        assertThat(run.status()).as("%s", run).isEqualTo(200);
        return run.body();
    }

    private static JsonNode awaitStatus(String runName, String... statuses) {
        List<String> wanted = List.of(statuses);
        JsonNode[] last = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> wanted.contains((last[0] = get(runName)).path("status").asText()));
        return last[0];
    }

    private static JsonNode latest(JsonNode run) {
        JsonNode submissions = run.path("jobs").path(0).path("job_submissions");
        return submissions.get(submissions.size() - 1);
    }

    private static ApiServer.Reply poll(String runName, String submission, String extra) {
        return api.post(P + "logs/poll", token, "{\"run_name\":\"" + runName + "\",\"job_submission_id\":\"" + submission
                + "\"" + extra + "}");
    }

    private static List<String> decode(JsonNode logs) {
        List<String> lines = new ArrayList<>();
        logs.path("logs").forEach(e -> lines.add(new String(Base64.getDecoder().decode(e.path("message").asText()),
                StandardCharsets.UTF_8)));
        return lines;
    }

    @Test
    void anAppliedTaskRunsToDoneAndItsLogsArePolledInBase64() {
        JsonNode submitted = apply(task("hello-task", "echo hello from the api", "echo second line"));
        assertThat(submitted.path("status").asText()).isIn("submitted", "provisioning", "running", "done");
        assertThat(submitted.path("user").asText()).isEqualTo("admin");

        JsonNode done = awaitStatus("hello-task", "done", "failed", "terminated");

        assertThat(done.path("status").asText()).isEqualTo("done");
        assertThat(done.path("termination_reason").asText()).isEqualTo("all_jobs_done");
        assertThat(Shapes.RUN.check(done)).isEmpty();
        JsonNode submission = latest(done);
        assertThat(submission.path("status").asText()).isEqualTo("done");
        assertThat(submission.path("exit_status").asInt(-1)).isZero();
        assertThat(submission.path("status_message").asText()).isEqualTo("exited (0)");
        assertThat(done.path("latest_job_submission").path("id")).isEqualTo(submission.path("id"));

        String id = submission.path("id").asText();
        ApiServer.Reply page = poll("hello-task", id, ",\"limit\":1000");
        assertThat(page.status()).as("%s", page).isEqualTo(200);
        assertThat(Shapes.LOGS.check(page.body())).isEmpty();
        assertThat(decode(page.body())).containsSubsequence("hello from the api\n", "second line\n");
        assertThat(page.body().path("logs").get(0).path("log_source").asText()).isEqualTo("stdout");

        // Paging: one event at a time with next_token, then newest first, then after a start time.
        ApiServer.Reply first = poll("hello-task", id, ",\"limit\":1");
        assertThat(first.body().path("logs")).hasSize(1);
        assertThat(first.body().path("next_token").isTextual()).isTrue();
        ApiServer.Reply second = poll("hello-task", id, ",\"limit\":1,\"next_token\":\"" + first.body().path("next_token").asText() + "\"");
        assertThat(decode(second.body())).containsExactly(decode(page.body()).get(1));
        ApiServer.Reply newest = poll("hello-task", id, ",\"limit\":1,\"descending\":true");
        List<String> all = decode(page.body());
        assertThat(decode(newest.body())).containsExactly(all.get(all.size() - 1));
        String firstTime = page.body().path("logs").get(0).path("timestamp").asText();
        ApiServer.Reply after = poll("hello-task", id, ",\"limit\":1000,\"start_time\":\"" + firstTime + "\"");
        assertThat(decode(after.body())).doesNotContain("hello from the api\n");

        // The run is listed, and can be deleted once finished; then it is gone.
        ApiServer.Reply listed = api.post("/api/runs/list", token, "{\"project_name\":\"main\",\"limit\":100}");
        assertThat(listed.body()).anySatisfy(run -> assertThat(run.path("run_spec").path("run_name").asText()).isEqualTo("hello-task"));
        assertThat(api.post(P + "runs/delete", token, "{\"runs_names\":[\"hello-task\"]}").status()).isEqualTo(200);
        ApiServer.Reply gone = api.post(P + "runs/get", token, "{\"run_name\":\"hello-task\"}");
        assertThat(gone.status()).isEqualTo(400);
        assertThat(gone.body().toString()).isEqualTo("{\"detail\":[{\"msg\":\"Run not found\",\"code\":\"resource_not_exists\"}]}");
        ApiServer.Reply byId = api.post(P + "runs/get", token, "{\"id\":\"" + done.path("id").asText() + "\"}");
        assertThat(byId.body().path("deleted").asBoolean()).isTrue();
    }

    @Test
    void aFailingTaskReportsItsExitStatus() {
        apply(task("failing-task", "echo before", "exit 3"));

        JsonNode failed = awaitStatus("failing-task", "done", "failed", "terminated");

        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(latest(failed).path("exit_status").asInt()).isEqualTo(3);
        assertThat(latest(failed).path("status_message").asText()).isEqualTo("exited (3)");
    }

    @Test
    void stopTerminatesALongTaskAndActiveRunsAreProtected() {
        JsonNode submitted = apply(task("long-task", "trap 'echo got TERM; exit 0' TERM; echo started; while true; do sleep 0.1; done"));
        String submission = submitted.path("jobs").path(0).path("job_submissions").path(0).path("id").asText();
        await().atMost(WAIT).until(() -> get("long-task").path("status").asText().equals("running")
                && decode(poll("long-task", submission, "").body()).contains("started\n"));

        // Same spec again: an in-place update (a new deployment); other commands cannot be applied to a running task.
        ObjectNode same = task("long-task", "trap 'echo got TERM; exit 0' TERM; echo started; while true; do sleep 0.1; done");
        ApiServer.Reply again = api.post(P + "runs/apply", token, applyBody(same, get("long-task")));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("deployment_num").asInt()).isEqualTo(1);
        ApiServer.Reply other = api.post(P + "runs/apply", token, applyBody(task("long-task", "echo other"), get("long-task")));
        assertThat(other.body().path("detail").get(0).path("msg").asText())
                .startsWith("Cannot override active run. Stop the run first.")
                .contains("configuration.commands");
        ApiServer.Reply delete = api.post(P + "runs/delete", token, "{\"runs_names\":[\"long-task\"]}");
        assertThat(delete.body().path("detail").get(0).path("msg").asText()).isEqualTo("Cannot delete active runs: ['long-task']");
        ApiServer.Reply active = api.post("/api/runs/list", token, "{\"only_active\":true}");
        assertThat(active.body()).anySatisfy(run -> assertThat(run.path("run_spec").path("run_name").asText()).isEqualTo("long-task"));

        ApiServer.Reply stop = api.post(P + "runs/stop", token, "{\"runs_names\":[\"long-task\",\"no-such-run\"],\"abort\":false}");
        assertThat(stop.status()).isEqualTo(200);
        assertThat(stop.body().isNull()).isTrue();

        JsonNode stopped = awaitStatus("long-task", "terminated", "failed", "done");
        assertThat(stopped.path("status").asText()).isEqualTo("terminated");
        assertThat(stopped.path("termination_reason").asText()).isEqualTo("stopped_by_user");
        assertThat(latest(stopped).path("status_message").asText()).isEqualTo("stopped");
        assertThat(decode(poll("long-task", submission, ",\"limit\":1000").body())).contains("got TERM\n");
    }

    private static ObjectNode applyBody(ObjectNode configuration, JsonNode current) {
        ObjectNode body = ApiServer.object();
        ObjectNode plan = body.putObject("plan");
        ObjectNode spec = plan.putObject("run_spec");
        spec.put("run_name", configuration.path("name").asText());
        spec.set("configuration", configuration);
        plan.set("current_resource", current);
        body.put("force", false);
        return body;
    }

    @Test
    void thePlanOffersTheLocalInstanceAndNamesTheCurrentRun() {
        ObjectNode request = ApiServer.object();
        request.putObject("run_spec").set("configuration", task(null, "echo plan"));
        ApiServer.Reply plan = api.post(P + "runs/get_plan", token, request);

        assertThat(plan.status()).as("%s", plan).isEqualTo(200);
        assertThat(Shapes.RUN_PLAN.check(plan.body())).isEmpty();
        assertThat(plan.body().path("action").asText()).isEqualTo("create");
        assertThat(plan.body().path("current_resource").isNull()).isTrue();
        assertThat(plan.body().path("run_spec").path("run_name").isNull()).isTrue();
        JsonNode effective = plan.body().path("effective_run_spec");
        assertThat(effective.path("repo_id").asText()).isEqualTo("none");
        assertThat(effective.path("ssh_key_pub").asText()).startsWith("ssh-rsa ");
        JsonNode jobPlan = plan.body().path("job_plans").get(0);
        assertThat(jobPlan.path("job_spec").path("job_name").asText()).isEqualTo("dry-run-0-0");
        JsonNode offer = jobPlan.path("offers").get(0);
        assertThat(offer.path("backend").asText()).isEqualTo("remote");
        assertThat(offer.path("availability").asText()).isIn("idle", "busy");
        assertThat(offer.path("total_blocks").asInt()).isEqualTo(16);
        assertThat(offer.path("blocks").asInt()).isEqualTo(1);
        assertThat(jobPlan.path("total_offers").asInt()).isEqualTo(1);

        ObjectNode huge = ApiServer.object();
        ObjectNode conf = task(null, "echo too big");
        ((ObjectNode) conf.get("resources")).put("cpu", "4096..");
        huge.putObject("run_spec").set("configuration", conf);
        JsonNode none = api.post(P + "runs/get_plan", token, huge).body().path("job_plans").get(0);
        assertThat(none.path("offers")).isEmpty();
        assertThat(none.path("total_offers").asInt()).isZero();
        assertThat(none.path("max_price").isNull()).isTrue();
    }

    @Test
    void logPollLimitsAreCheckedBeforeStorage() {
        ApiServer.Reply tooMany = api.post(P + "logs/poll", token, "{\"run_name\":\"x\",\"job_submission_id\":\""
                + java.util.UUID.randomUUID() + "\",\"limit\":1001}");

        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.body().toString()).contains("\"loc\":[\"body\",\"limit\"]",
                "\"msg\":\"Input should be less than or equal to 1000\"", "\"ctx\":{\"le\":1000}");
        assertThat(dir.resolve("server").resolve("projects").resolve("main").resolve("logs").resolve("x")).doesNotExist();

        ApiServer.Reply unknown = api.post(P + "logs/poll", token, "{\"run_name\":\"../../etc\",\"job_submission_id\":\""
                + java.util.UUID.randomUUID() + "\"}");
        assertThat(unknown.status()).isEqualTo(200);
        assertThat(unknown.body().path("logs")).isEmpty();
        assertThat(unknown.body().path("next_token").isNull()).isTrue();
    }
}
