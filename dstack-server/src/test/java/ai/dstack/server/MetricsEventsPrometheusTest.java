package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.event.Event;
import ai.dstack.api.event.ListEventsRequest;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.metrics.JobMetrics;
import ai.dstack.api.run.Run;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.RemoteDstackClient;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.MetricsSettings;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.core.internal.host.LocalResourceDetector;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics, events and Prometheus over real HTTP: a real server on loopback, real job processes, a fake
 * {@code nvidia-smi} on the jobs' PATH, and the remote client.
 */
class MetricsEventsPrometheusTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SCRAPE_TOKEN = "scrape-secret";

    @TempDir
    static Path dir;

    private static DstackServer server;
    private static RemoteDstackClient client;
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
    private static String runName;

    @BeforeAll
    static void startServerAndABusyRun() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, "#!/bin/sh\necho '40, 1024, 81920'\necho '60, 2048, 81920'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new LinkedHashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        env.put("PATH", bin + ":" + env.get("PATH"));
        Path home = dir.resolve("server");
        DstackEngine.Builder engine = DstackEngine.builder().serverDirectory(home).localBlocks(16)
                .sweepInterval(Duration.ofMillis(500))
                .metrics(MetricsSettings.DSTACK.withCollectInterval(Duration.ofMillis(200)))
                .hostExecutor(new LocalHostExecutor(home.resolve("local").resolve("jobs"), env),
                        new LocalResourceDetector(home).detect());
        server = DstackServer.builder().engine(engine).port(0).prometheus(true, SCRAPE_TOKEN).build().start();
        client = RemoteDstackClient.builder().url(server.url()).token(server.engine().adminToken())
                .defaultProject("main").build();
        TaskConfiguration task = DstackYaml.parse("type: task\ncommands:\n  - while :; do :; done\n", "busy.dstack.yml",
                TaskConfiguration.class);
        Run run = server.engine().applyRun(task);
        runName = run.runSpec().runName();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            // Jobs outlive their server by design: end the busy loop first, or it burns a CPU for the rest of the build.
            server.engine().stopRuns("main", List.of(runName), true);
            server.engine().awaitFinished("main", runName, Duration.ofMinutes(1));
            client.close();
            server.close();
        }
    }

    @Test
    void theMetricsRouteAnswersDstacksShapeOverGetAndTheClientReadsIt() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            JobMetrics metrics = client.getJobMetrics("main", runName, 0, 0, 1);
            // Absent until the collector's first pass over the job: an assertion, so the wait goes on.
            assertThat(metrics.metric("cpu_usage_percent")).hasValueSatisfying(
                    m -> assertThat(m.latest().doubleValue()).isGreaterThan(5));
            assertThat(metrics.metric("gpu_util_percent_gpu1")).hasValueSatisfying(
                    m -> assertThat(m.latest().intValue()).isEqualTo(60));
        });
        // Three samples exist a moment after the first (one every 200 ms).
        await().atMost(WAIT).until(() -> get("/api/project/main/metrics/job/" + runName + "?limit=3",
                server.engine().adminToken()).path("metrics").path(0).path("timestamps").size() == 3);
        JsonNode reply = get("/api/project/main/metrics/job/" + runName + "?limit=3", server.engine().adminToken());
        assertThat(reply.get("metrics")).isNotEmpty();
        for (JsonNode metric : reply.get("metrics")) {
            assertThat(metric.fieldNames()).toIterable().containsExactly("name", "timestamps", "values");
            assertThat(metric.get("timestamps")).hasSize(3);
        }
        List<String> names = reply.get("metrics").findValuesAsText("name");
        assertThat(names).contains("cpus_detected_num", "cpu_usage_percent", "memory_total_bytes", "memory_usage_bytes",
                "memory_working_set_bytes", "gpus_detected_num", "gpu_memory_total_bytes", "gpu_memory_usage_bytes_gpu0",
                "gpu_util_percent_gpu0", "gpu_util_percent_gpu1");

        assertThatThrownBy(() -> client.getJobMetrics("main", runName, 0, 7, 1))
                .isInstanceOfSatisfying(DstackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.ERROR);
                    assertThat(e.getMessage()).contains("Found no job with given parameters");
                });
        assertThatThrownBy(() -> client.getJobMetrics("main", "no-such-run", 0, 0, 1))
                .isInstanceOfSatisfying(DstackException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS));
        assertThat(status("/api/project/main/metrics/job/" + runName + "?limit=0", server.engine().adminToken()))
                .isEqualTo(422);
        assertThat(status("/api/project/main/metrics/job/" + runName, null)).isEqualTo(403);
    }

    @Test
    void metricsParseAsPrometheusTextAndCarryTheRunningRun() throws Exception {
        await().atMost(WAIT).untilAsserted(() -> {
            PrometheusText text = PrometheusText.parse(scrape(SCRAPE_TOKEN));
            Map<String, String> job = Map.of("dstack_project_name", "main", "dstack_run_name", runName,
                    "dstack_job_num", "0", "dstack_replica_num", "0", "dstack_run_type", "task");
            // Counters are typed under their full name, as dstack's own endpoint writes them.
            assertThat(text.types).containsEntry("dstack_job_cpu_time_seconds_total", "counter")
                    .containsEntry("dstack_job_memory_working_set_bytes", "gauge")
                    .containsEntry("dstack_run_count_total", "counter")
                    .containsEntry("dstack_server_request_duration_seconds", "histogram");
            assertThat(text.sample("dstack_job_cpu_time_seconds_total", job)).get()
                    .satisfies(s -> assertThat(s.value()).isGreaterThan(0));
            assertThat(text.sample("dstack_job_memory_working_set_bytes", job)).get()
                    .satisfies(s -> assertThat(s.value()).isGreaterThan(0));
            Map<String, String> gpu1 = new LinkedHashMap<>(job);
            gpu1.put("dstack_gpu_num", "1");
            assertThat(text.sample("dstack_job_gpu_usage_ratio", gpu1)).get()
                    .satisfies(s -> assertThat(s.value()).isEqualTo(0.6));
            assertThat(text.sample("dstack_job_gpu_memory_usage_bytes", gpu1)).get()
                    .satisfies(s -> assertThat(s.value()).isEqualTo(2048.0 * 1024 * 1024));
            assertThat(text.sample("dstack_run_count_total", Map.of("dstack_project_name", "main",
                    "dstack_user_name", "admin"))).get().satisfies(s -> assertThat(s.value()).isGreaterThanOrEqualTo(1));
            assertThat(text.samples("dstack_server_request_duration_seconds_count")).isNotEmpty();
            assertThat(text.samples("dstack_server_work_queue_length")).hasSize(1);
        });
        assertThat(status("/metrics", null)).isEqualTo(401);
        assertThat(status("/metrics", "wrong")).isEqualTo(401);
    }

    @Test
    void eventsListFiltersToTheRunAndPagesOverHttp() {
        Run run = client.getRun("main", runName);
        await().atMost(WAIT).until(() -> client.listEvents(ListEventsRequest.all(100).withinRuns(List.of(run.id())))
                .stream().anyMatch(e -> e.message().equals("Job status changed PROVISIONING -> RUNNING")));
        List<Event> events = client.listEvents(ListEventsRequest.all(100).withinRuns(List.of(run.id())).ascending(true));
        assertThat(events.get(0).message()).isIn("Run submitted. Status: SUBMITTED",
                "Job created on run submission. Status: SUBMITTED");
        assertThat(events).extracting(Event::message).containsSubsequence(
                "Job status changed SUBMITTED -> PROVISIONING", "Job status changed PROVISIONING -> RUNNING");
        assertThat(events).allSatisfy(e -> assertThat(e.targets()).allSatisfy(t -> {
            assertThat(t.projectName()).isEqualTo("main");
            assertThat(t.isProjectDeleted()).isFalse();
        }));
        List<Event> first = client.listEvents(ListEventsRequest.all(1).withinRuns(List.of(run.id())).ascending(true));
        assertThat(first).containsExactly(events.get(0));
        assertThat(client.listEvents(ListEventsRequest.all(1).withinRuns(List.of(run.id())).ascending(true)
                .after(first.get(0)))).containsExactly(events.get(1));
        assertThat(client.listEvents(ListEventsRequest.all(100).targetRuns(List.of(run.id()))))
                .allSatisfy(e -> assertThat(e.targets()).anySatisfy(t -> assertThat(t.type()).isEqualTo("run")));
        assertThatThrownBy(() -> client.listEvents(ListEventsRequest.all(10).withinRuns(List.of(run.id()))
                .withinProjects(List.of(run.id()))))
                .isInstanceOfSatisfying(DstackException.class,
                        e -> assertThat(e.getMessage()).contains("At most one of within_"));
    }

    @Test
    void secretChangesAreEventsThatNameTheSecretButNeverItsValue() {
        var main = client.project("main");
        var created = main.setSecret("hf-token", "first-value");
        main.setSecret("hf-token", "second-value");
        main.deleteSecrets(List.of("hf-token"));

        List<Event> events = client.listEvents(ListEventsRequest.all(100).targetSecrets(List.of(created.id()))
                .ascending(true));
        assertThat(events).extracting(Event::message)
                .containsExactly("Secret created", "Secret updated", "Secret deleted");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.actorUser()).isEqualTo("admin");
            assertThat(e.targets()).singleElement().satisfies(t -> {
                assertThat(t.type()).isEqualTo("secret");
                assertThat(t.name()).isEqualTo("hf-token");
                assertThat(t.projectName()).isEqualTo("main");
            });
            assertThat(e.toString()).doesNotContain("first-value", "second-value");
        });
        assertThat(client.listEvents(ListEventsRequest.all(100).includeTargetTypes(List.of("secret"))))
                .extracting(Event::message).contains("Secret deleted").doesNotContain("Run submitted. Status: SUBMITTED");
    }

    private static String scrape(String token) throws Exception {
        Request.Builder request = new Request.Builder().url(server.url() + "/metrics");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (Response response = HTTP.newCall(request.build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("Content-Type")).startsWith("text/plain");
            return response.body().string();
        }
    }

    private static JsonNode get(String path, String token) throws Exception {
        try (Response response = HTTP.newCall(new Request.Builder().url(server.url() + path)
                .header("Authorization", "Bearer " + token).build()).execute()) {
            assertThat(response.code()).isEqualTo(200);
            return DstackJson.mapper().readTree(response.body().string());
        }
    }

    private static int status(String path, String token) throws Exception {
        Request.Builder request = new Request.Builder().url(server.url() + path);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (Response response = HTTP.newCall(request.build()).execute()) {
            return response.code();
        }
    }
}
