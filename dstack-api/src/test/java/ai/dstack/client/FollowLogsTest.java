package ai.dstack.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.json.WireSamples;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DstackClient#followLogs} against a scripted dstack server on loopback: {@code runs/get} advances the
 * script (new lines, new submissions, a new status), and {@code logs/poll} pages like dstack's file log storage
 * (ascending, {@code start_time} exclusive, {@code next_token} = the line to resume from, null at the end).
 */
class FollowLogsTest {
    private static final String A = "0f5c8a36-2f4b-4c1e-8a7d-3b9e6c1d2a40";
    private static final String B = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
    private static final Instant T0 = Instant.parse("2024-01-02T03:04:05Z");

    @RegisterExtension
    final FakeDstackServer server = new FakeDstackServer();

    /** One step of the script, applied by the n-th {@code runs/get}. */
    private record Step(String status, List<String> submissions, List<Line> lines) {}

    /** A line a job submission writes; the server stamps it one second after the previous line. */
    private record Line(String submission, String text) {}

    private static Line line(String submission, String text) {
        return new Line(submission, text);
    }

    private final class ScriptedServer extends Dispatcher {
        private final List<Step> script;
        private final List<String[]> store = new ArrayList<>(); // {submission, timestamp, text}
        private final List<JsonNode> polls = Collections.synchronizedList(new ArrayList<>());
        private int step = -1;
        private String status = "submitted";
        private List<String> submissions = List.of();

        ScriptedServer(Step... script) {
            this.script = List.of(script);
        }

        @Override
        public synchronized MockResponse dispatch(RecordedRequest request) {
            String path = request.getUrl().encodedPath();
            JsonNode body = FakeDstackServer.tree(request.getBody().utf8());
            if (path.equals("/api/project/main/runs/get")) {
                if (step + 1 < script.size()) {
                    Step next = script.get(++step);
                    status = next.status();
                    submissions = next.submissions();
                    for (Line line : next.lines()) {
                        store.add(new String[] {line.submission(), T0.plusSeconds(store.size()).toString(), line.text()});
                    }
                }
                return json(run(status, submissions).toString());
            }
            if (path.equals("/api/project/main/logs/poll")) {
                polls.add(body);
                return json(page(body));
            }
            return new MockResponse.Builder().code(404).body("{\"detail\":\"Not Found\"}").build();
        }

        private String page(JsonNode poll) {
            String submission = poll.get("job_submission_id").asText();
            Instant after = poll.get("start_time").isNull() ? null : Instant.parse(poll.get("start_time").asText());
            List<String[]> lines = store.stream()
                    .filter(l -> l[0].equals(submission) && (after == null || Instant.parse(l[1]).isAfter(after)))
                    .toList();
            int from = poll.get("next_token").isNull() ? 0 : Integer.parseInt(poll.get("next_token").asText());
            int to = Math.min(lines.size(), from + 2); // small pages, so that next_token is exercised
            ObjectNode page = DstackJson.mapper().createObjectNode();
            ArrayNode logs = page.putArray("logs");
            for (String[] line : lines.subList(from, to)) {
                logs.addObject().put("timestamp", line[1]).put("log_source", "stdout")
                        .put("message", Base64.getEncoder().encodeToString(line[2].getBytes(StandardCharsets.UTF_8)));
            }
            page.putNull("external_url");
            page.put("next_token", to < lines.size() ? String.valueOf(to) : null);
            return page.toString();
        }

        private static MockResponse json(String body) {
            return new MockResponse.Builder().setHeader("Content-Type", "application/json").body(body).build();
        }
    }

    /** dstack's run sample with the given status and job 0's submissions. */
    private static JsonNode run(String status, List<String> submissionIds) {
        ObjectNode run = (ObjectNode) WireSamples.tree("run");
        run.put("status", status);
        ObjectNode job = (ObjectNode) run.get("jobs").get(0);
        JsonNode template = job.get("job_submissions").get(0);
        ArrayNode submissions = job.putArray("job_submissions");
        for (int i = 0; i < submissionIds.size(); i++) {
            ObjectNode submission = template.deepCopy();
            submission.put("id", submissionIds.get(i)).put("submission_num", i).put("status", "running");
            submissions.add(submission);
        }
        run.set("latest_job_submission", submissions.isEmpty() ? null : submissions.get(submissions.size() - 1));
        return run;
    }

    private Run follow(ScriptedServer script, FollowLogsRequest.Builder request, Consumer<LogEvent> sink) throws Exception {
        server.server().setDispatcher(script);
        try (RemoteDstackClient client = server.client()) {
            return client.project().followLogs(request.pollInterval(Duration.ofMillis(10)).build(), sink);
        }
    }

    private static List<String> texts(List<LogEvent> events) {
        return events.stream().map(e -> new String(e.messageBytes(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void followsPagesAndNewLinesUntilTheRunIsDoneThenReturnsIt() throws Exception {
        ScriptedServer script = new ScriptedServer(
                new Step("running", List.of(A), List.of(line(A, "1"), line(A, "2"), line(A, "3"))),
                new Step("running", List.of(A), List.of(line(A, "4"), line(A, "5"))),
                new Step("done", List.of(A), List.of(line(A, "6"))));
        List<LogEvent> events = new ArrayList<>();

        Run run = follow(script, FollowLogsRequest.newBuilder("train"), events::add);

        assertThat(texts(events)).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(run.status()).isEqualTo(RunStatus.DONE);
        JsonNode first = script.polls.get(0);
        assertThat(first.get("limit").asInt()).isEqualTo(1000);
        assertThat(first.get("descending").asBoolean()).isFalse();
        assertThat(first.get("next_token").isNull()).isTrue();
        assertThat(script.polls.get(1).get("next_token").asText()).isEqualTo("2");
        JsonNode caughtUp = script.polls.get(2);
        assertThat(caughtUp.get("next_token").isNull()).isTrue();
        assertThat(caughtUp.get("start_time").asText()).isEqualTo(T0.plusSeconds(2).toString());
    }

    @Test
    void switchesToTheNewSubmissionWhenTheJobIsRetried() throws Exception {
        ScriptedServer script = new ScriptedServer(
                new Step("running", List.of(A), List.of(line(A, "a1"))),
                new Step("running", List.of(A, B), List.of(line(A, "a2"), line(B, "b1"))),
                new Step("failed", List.of(A, B), List.of(line(B, "b2"))));
        List<LogEvent> events = new ArrayList<>();

        Run run = follow(script, FollowLogsRequest.newBuilder("train"), events::add);

        assertThat(texts(events)).containsExactly("a1", "a2", "b1", "b2");
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(script.polls).extracting(p -> p.get("job_submission_id").asText()).contains(A, B);
    }

    @Test
    void aFinishedRunHasItsLogsDeliveredWithoutWaiting() throws Exception {
        ScriptedServer script = new ScriptedServer(
                new Step("terminated", List.of(A), List.of(line(A, "1"), line(A, "2"), line(A, "3"))));
        List<LogEvent> events = new ArrayList<>();

        Run run = follow(script, FollowLogsRequest.newBuilder("train").diagnose(true), events::add);

        assertThat(texts(events)).containsExactly("1", "2", "3");
        assertThat(run.status()).isEqualTo(RunStatus.TERMINATED);
        assertThat(script.polls).hasSize(2).allSatisfy(p -> assertThat(p.get("diagnose").asBoolean()).isTrue());
    }

    @Test
    void logsBeforeTheStartTimeAreSkipped() throws Exception {
        ScriptedServer script = new ScriptedServer(
                new Step("done", List.of(A), List.of(line(A, "1"), line(A, "2"), line(A, "3"))));
        List<LogEvent> events = new ArrayList<>();

        follow(script, FollowLogsRequest.newBuilder("train").startTime(T0), events::add);

        assertThat(texts(events)).containsExactly("2", "3");
    }

    @Test
    void aJobTheRunDoesNotHaveIsReportedAsMissing() {
        ScriptedServer script = new ScriptedServer(new Step("running", List.of(A), List.of()));

        DstackException e = catchThrowableOfType(DstackException.class,
                () -> follow(script, FollowLogsRequest.newBuilder("train").replicaNum(1), event -> { }));

        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS);
        assertThat(e).hasMessage("Run train has no job 0 in replica 1");
    }
}
