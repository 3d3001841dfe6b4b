package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.json.WireSamples;
import ai.dstack.api.logs.JobSubmissionLogs;
import ai.dstack.api.logs.LogEventSource;
import ai.dstack.api.logs.PollLogsRequest;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunPlan;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs and logs over real HTTP: the paths, headers and bodies dstack's server expects, and its replies parsed. */
class RemoteRunsTest {
    @RegisterExtension
    final FakeDstackServer server = new FakeDstackServer();

    private static RunSpec taskSpec() {
        TaskConfiguration task = DstackYaml.parse("""
                type: task
                name: train
                python: "3.12"
                commands:
                  - python train.py
                resources:
                  gpu: A100:80GB:2
                """, "train.dstack.yml", TaskConfiguration.class);
        return RunSpec.newBuilder().runName("train").configuration(task).configurationPath("train.dstack.yml").build();
    }

    @Test
    void getRunPostsTheNameAndParsesTheRun() {
        server.replySample("run");
        try (RemoteDstackClient client = server.client()) {
            Run run = client.project().getRun("train");

            assertThat(run.runSpec().runName()).isEqualTo("train");
            assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        }
        RecordedRequest request = server.takePost("/api/project/main/runs/get");
        assertThat(FakeDstackServer.json(request)).isEqualTo(FakeDstackServer.tree("{\"run_name\":\"train\",\"id\":null}"));
    }

    @Test
    void getRunByIdSendsTheIdAndNoName() {
        server.replySample("run");
        UUID id = UUID.fromString("11111111-2222-4333-8444-555555555555");
        try (RemoteDstackClient client = server.client()) {
            client.getRun("main", id);
        }
        JsonNode body = FakeDstackServer.json(server.takePost("/api/project/main/runs/get"));
        assertThat(body).isEqualTo(FakeDstackServer.tree("{\"run_name\":null,\"id\":\"" + id + "\"}"));
    }

    @Test
    void planSendsTheSpecWithDstacksDefaultsAndLeavesOutUnsetTaskNodes() {
        server.replySample("run-plan");
        try (RemoteDstackClient client = server.client()) {
            RunPlan plan = client.getRunPlan("main", RunPlanRequest.newBuilder(taskSpec()).maxOffers(10).build());

            assertThat(plan.action()).isEqualTo(ApplyAction.CREATE);
            assertThat(plan.jobPlans()).isNotEmpty();
        }
        JsonNode body = FakeDstackServer.json(server.takePost("/api/project/main/runs/get_plan"));
        assertThat(body.get("max_offers").asInt()).isEqualTo(10);
        assertThat(body.get("full_offers").asBoolean()).isFalse();
        assertThat(body.get("unallocated_resources").asBoolean()).isFalse();
        assertThat(body.get("for_offers_only").asBoolean()).isFalse();
        JsonNode configuration = body.get("run_spec").get("configuration");
        assertThat(configuration.get("type").asText()).isEqualTo("task");
        assertThat(configuration.get("commands").get(0).asText()).isEqualTo("python train.py");
        assertThat(configuration.get("resources").get("gpu").get("name").get(0).asText()).isEqualTo("A100");
        assertThat(configuration.has("nodes")).as("dstack's client omits a null nodes").isFalse();
        assertThat(configuration.has("groups")).as("dstack's client omits null groups").isFalse();
        assertThat(body.get("run_spec").get("run_name").asText()).isEqualTo("train");
    }

    @Test
    void applyingAPlanSendsItsSpecAndCurrentRunBack() {
        RunPlan plan = WireSamples.read("run-plan", RunPlan.class);
        Run current = WireSamples.read("run", Run.class);
        RunPlan withCurrent = new RunPlan(plan.projectName(), plan.user(), plan.runSpec(), plan.effectiveRunSpec(),
                plan.jobPlans(), current, ApplyAction.UPDATE);
        server.replySample("run");
        try (RemoteDstackClient client = server.client()) {
            Run run = client.project().applyRun(withCurrent);

            assertThat(run.id()).isEqualTo(current.id());
        }
        JsonNode body = FakeDstackServer.json(server.takePost("/api/project/main/runs/apply"));
        assertThat(body.get("force").asBoolean()).isFalse();
        assertThat(body.get("plan").get("run_spec")).isEqualTo(WireSamples.written(plan.runSpec()));
        JsonNode sentCurrent = body.get("plan").get("current_resource");
        assertThat(sentCurrent.get("id").asText()).isEqualTo(current.id().toString());
        assertThat(sentCurrent.get("jobs").get(0).has("job_connection_info")).isFalse();
    }

    @Test
    void aForcedApplyOfANewSpecHasNoCurrentResource() {
        server.replySample("run");
        try (RemoteDstackClient client = server.client()) {
            client.applyRun("main", ApplyRunRequest.of(taskSpec()).forced());
        }
        JsonNode body = FakeDstackServer.json(server.takePost("/api/project/main/runs/apply"));
        assertThat(body.get("force").asBoolean()).isTrue();
        assertThat(body.get("plan").get("current_resource").isNull()).isTrue();
    }

    @Test
    void stopAndDeleteSendTheNamesAndAcceptANullReply() {
        server.reply("null");
        server.reply("null");
        server.reply("null");
        try (RemoteDstackClient client = server.client()) {
            client.project().stopRun("train");
            client.stopRuns("main", List.of("a", "b"), true);
            client.deleteRuns("main", List.of("train"));
        }
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/runs/stop")))
                .isEqualTo(FakeDstackServer.tree("{\"runs_names\":[\"train\"],\"abort\":false}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/runs/stop")))
                .isEqualTo(FakeDstackServer.tree("{\"runs_names\":[\"a\",\"b\"],\"abort\":true}"));
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/runs/delete")))
                .isEqualTo(FakeDstackServer.tree("{\"runs_names\":[\"train\"]}"));
    }

    @Test
    void listingRunsSendsEveryFilterAsDstacksPsDoes() {
        server.reply("[" + WireSamples.text("run") + "]");
        try (RemoteDstackClient client = server.client()) {
            List<Run> runs = client.project().listRuns(RunQuery.newBuilder().onlyActive(true).jobSubmissionsLimit(1).build());

            assertThat(runs).singleElement().extracting(Run::projectName).isEqualTo("main");
        }
        assertThat(FakeDstackServer.json(server.takePost("/api/runs/list"))).isEqualTo(FakeDstackServer.tree("""
                {"project_name":"main","repo_id":null,"username":null,"only_active":true,"include_jobs":true,
                 "job_submissions_limit":1,"prev_submitted_at":null,"prev_run_id":null,"limit":100,"ascending":false}
                """));
    }

    @Test
    void pagingRunsSendsTheLastRunOfThePreviousPage() {
        server.reply("[]");
        UUID last = UUID.fromString("11111111-2222-4333-8444-555555555555");
        try (RemoteDstackClient client = server.client()) {
            client.listRuns(RunQuery.newBuilder().prevSubmittedAt(Instant.parse("2024-01-02T03:04:05.123456Z"))
                    .prevRunId(last).limit(1).build());
        }
        JsonNode body = FakeDstackServer.json(server.takePost("/api/runs/list"));
        assertThat(body.get("project_name").isNull()).isTrue();
        assertThat(body.get("prev_submitted_at").asText()).isEqualTo("2024-01-02T03:04:05.123456Z");
        assertThat(body.get("prev_run_id").asText()).isEqualTo(last.toString());
        assertThat(body.get("limit").asInt()).isEqualTo(1);
    }

    @Test
    void pollingLogsSendsDstacksRequestAndDecodesTheBase64Messages() {
        server.replySample("job-submission-logs");
        UUID submission = UUID.fromString("0f5c8a36-2f4b-4c1e-8a7d-3b9e6c1d2a40");
        JobSubmissionLogs page;
        try (RemoteDstackClient client = server.client()) {
            page = client.project().pollLogs(PollLogsRequest.newBuilder("train", submission).limit(1000).nextToken("7").build());
        }
        assertThat(page.nextToken()).isEqualTo("2");
        assertThat(page.logs()).extracting(e -> new String(e.messageBytes(), StandardCharsets.UTF_8))
                .containsExactly("hello\n", "world\n");
        assertThat(page.logs()).extracting(e -> e.logSource()).containsExactly(LogEventSource.STDOUT, LogEventSource.STDERR);
        assertThat(FakeDstackServer.json(server.takePost("/api/project/main/logs/poll"))).isEqualTo(FakeDstackServer.tree("""
                {"run_name":"train","job_submission_id":"0f5c8a36-2f4b-4c1e-8a7d-3b9e6c1d2a40","start_time":null,
                 "end_time":null,"descending":false,"next_token":"7","limit":1000,"diagnose":false}
                """));
    }

    @Test
    void aBaseUrlWithAPathPrefixAndATrailingSlashKeepsThePrefix() {
        server.reply("{\"server_version\":\"0.21.2\"}");
        try (RemoteDstackClient client = server.clientBuilder().url(server.url() + "/dstack/").build()) {
            assertThat(client.serverInfo().serverVersion()).isEqualTo("0.21.2");
        }
        assertThat(server.take().getUrl().encodedPath()).isEqualTo("/dstack/api/server/get_info");
    }

    @Test
    void projectNamesAreSentAsOnePathSegment() {
        server.replySample("run");
        try (RemoteDstackClient client = server.client()) {
            client.getRun("my team/x", "train");
        }
        assertThat(server.take().getUrl().encodedPath()).isEqualTo("/api/project/my%20team%2Fx/runs/get");
    }
}
