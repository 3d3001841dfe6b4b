package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.core.internal.services.ServiceNetwork;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Services end to end: real replicas (python3's http.server, both on port 8000 in their own network namespaces)
 * behind the server's proxy on a loopback port.
 */
class ServiceProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private static ApiServer api;
    private static ServiceFixture services;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(ServiceNetwork.namespacesWork(),
                "two replicas on one port need network namespaces (unshare -n as root)");
        api = ApiServer.start(dir);
        services = new ServiceFixture(api);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            ServiceFixture.stopAll(api);
            api.close();
        }
    }

    /** Requests until replies came from {@code count} different jobs; every reply must be a success. */
    private static Set<String> jobsAnswering(String path, int count) {
        Set<String> jobs = new HashSet<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            ServiceFixture.Reply reply = services.get(path, api.adminToken);
            if (reply.code() == 200) {
                jobs.add(reply.field("job"));
            }
            return jobs.size() >= count;
        });
        return jobs;
    }

    @Test
    void twoReplicasShareTrafficAndAKilledOneIsReplaced() throws Exception {
        services.apply(ServiceFixture.service("echo", "1",
                ",\"replicas\":2,\"retry\":{\"on_events\":[\"error\"],\"duration\":\"1h\"}"));
        String root = "/proxy/services/main/echo/";

        Set<String> first = jobsAnswering(root + "hello?x=1", 2);
        JsonNode run = services.get("echo");
        assertThat(run.path("status").asText()).isEqualTo("running");
        assertThat(run.path("service").path("url").asText()).isEqualTo(root);
        assertThat(ServiceFixture.replicas(run)).hasSize(2)
                .allSatisfy(job -> assertThat(job.path("status").asText()).isEqualTo("running"));
        // Round robin: consecutive requests alternate between the two replicas.
        String a = services.get(root + "a", api.adminToken).field("job");
        String b = services.get(root + "b", api.adminToken).field("job");
        assertThat(a).isNotEqualTo(b);
        assertThat(Set.of(a, b)).isEqualTo(first);
        // The prefix is stripped and the query kept; bodies pass.
        assertThat(services.get(root + "some/path?q=2", api.adminToken).field("path")).isEqualTo("/some/path?q=2");
        assertThat(services.call("POST", root + "echo", api.adminToken, "{\"n\":1}").field("echo")).isEqualTo("{\"n\":1}");
        okhttp3.Request head = new Request.Builder().url(api.server.url() + root).head()
                .header("Authorization", "Bearer " + api.adminToken).build();
        try (Response response = api.http.newCall(head).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("Content-Length")).isEqualTo("1234");
        }
        // dstack redirects the bare service name to its root.
        assertThat(api.http.newBuilder().followRedirects(false).build()
                .newCall(new Request.Builder().url(api.server.url() + "/proxy/services/main/echo").build()).execute().code())
                .isEqualTo(308);

        // One replica dies: the other takes every request meanwhile, and the run submits the dead one again.
        String victim = services.get(root, api.adminToken).field("pid");
        ProcessHandle.of(Long.parseLong(victim)).orElseThrow().destroyForcibly();
        List<Integer> codes = new ArrayList<>();
        Set<String> after = new HashSet<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            ServiceFixture.Reply reply = services.get(root + "during", api.adminToken);
            codes.add(reply.code());
            if (reply.code() == 200 && !first.contains(reply.field("job"))) {
                after.add(reply.field("job"));
            }
            return !after.isEmpty();
        });
        assertThat(codes).containsOnly(200);
        JsonNode recovered = services.get("echo");
        assertThat(recovered.path("status").asText()).isEqualTo("running");
        assertThat(recovered.path("jobs")).anySatisfy(job -> {
            assertThat(job.path("job_submissions")).hasSize(2);
            assertThat(job.path("job_submissions").get(0).path("termination_reason").asText())
                    .isEqualTo("container_exited_with_error");
        });
        services.stop("echo");
    }

    @Test
    void withAuthOnlyProjectMembersGetThrough() {
        services.apply(ServiceFixture.service("private", "1", ""));
        services.apply(ServiceFixture.service("public", "1", ",\"auth\":false"));
        jobsAnswering("/proxy/services/main/private/", 1);

        ServiceFixture.Reply anonymous = services.get("/proxy/services/main/private/", null);
        assertThat(anonymous.code()).isEqualTo(403);
        assertThat(anonymous.body()).isEqualTo("{\"detail\":\"Unauthenticated or unauthorized to access project main\"}");
        assertThat(services.get("/proxy/services/main/private/", "not-a-token").code()).isEqualTo(403);
        ApiServer.Reply outsider = api.post("/api/users/create", api.adminToken,
                "{\"username\":\"outsider\",\"global_role\":\"user\",\"email\":null,\"active\":true}");
        String outsiderToken = outsider.body().path("creds").path("token").asText();
        assertThat(services.get("/proxy/services/main/private/", outsiderToken).code()).isEqualTo(403);

        await().atMost(WAIT).until(() -> services.get("/proxy/services/main/public/", null).code() == 200);
        ServiceFixture.Reply missing = services.get("/proxy/services/main/no-such-service/", api.adminToken);
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"detail\":\"Service main/no-such-service not found\"}");
        services.stop("private");
        services.stop("public");
    }

    @Test
    void serverSentEventsArriveAsTheyAreSent() throws Exception {
        services.apply(ServiceFixture.service("events", "1", ",\"auth\":false"));
        jobsAnswering("/proxy/services/main/events/", 1);

        Request request = new Request.Builder().url(api.server.url() + "/proxy/services/main/events/sse").build();
        List<String> events = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        try (Response response = api.http.newCall(request).execute();
                BufferedReader reader = new BufferedReader(new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8))) {
            assertThat(response.header("Content-Type")).isEqualTo("text/event-stream");
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("data: ")) {
                    events.add(line.substring(6));
                    arrivals.add(System.nanoTime());
                }
            }
        }
        assertThat(events).containsExactly("event 0", "event 1", "event 2");
        // Streamed, not buffered: the replica sleeps 0.3 s between events, so they cannot arrive together.
        assertThat(arrivals.get(2) - arrivals.get(0)).isGreaterThan(Duration.ofMillis(400).toNanos());
        services.stop("events");
    }

    @Test
    void modelsArePublishedOnTheOpenAiEndpointAndRoutedByName() {
        services.apply(ServiceFixture.service("llama", "llama-replica", ",\"model\":\"llama\""));
        services.apply(ServiceFixture.service("qwen", "qwen-replica", ",\"model\":{\"type\":\"chat\",\"name\":\"qwen\",\"format\":\"openai\"}"));
        String models = "/proxy/models/main/";
        await().atMost(WAIT).until(() -> services.call("POST", models + "chat/completions", api.adminToken,
                "{\"model\":\"qwen\",\"messages\":[]}").code() == 200
                && services.call("POST", models + "chat/completions", api.adminToken,
                        "{\"model\":\"llama\",\"messages\":[]}").code() == 200);

        JsonNode list = ApiServer.json(services.get(models + "models", api.adminToken).body());
        assertThat(list.path("object").asText()).isEqualTo("list");
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertThat(ids).containsExactlyInAnyOrder("llama", "qwen");
        JsonNode qwen = ApiServer.json(services.call("POST", models + "chat/completions", api.adminToken,
                "{\"model\":\"qwen\",\"messages\":[]}").body());
        assertThat(qwen.path("choices").get(0).path("message").path("content").asText()).isEqualTo("served by qwen-replica");
        JsonNode llama = ApiServer.json(services.call("POST", models + "chat/completions", api.adminToken,
                "{\"model\":\"llama\",\"messages\":[]}").body());
        assertThat(llama.path("choices").get(0).path("message").path("content").asText()).isEqualTo("served by llama-replica");
        ServiceFixture.Reply unknown = services.call("POST", models + "chat/completions", api.adminToken, "{\"model\":\"gpt\"}");
        assertThat(unknown.code()).isEqualTo(404);
        assertThat(unknown.body()).contains("Model gpt not found in project main");
        assertThat(services.get(models + "models", null).code()).isEqualTo(403);
        assertThat(services.get("llama").path("service").path("model").path("base_url").asText()).isEqualTo(models);
        services.stop("llama");
        services.stop("qwen");
    }

    @Test
    void webSocketsAreJoinedToAReplica() throws Exception {
        services.apply(ServiceFixture.service("sockets", "ws", ",\"auth\":false"));
        jobsAnswering("/proxy/services/main/sockets/", 1);

        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        Request request = new Request.Builder().url(api.server.url().replace("http:", "ws:") + "/proxy/services/main/sockets/ws").build();
        WebSocket socket = api.http.newWebSocket(request, new WebSocketListener() {
            @Override
            public void onMessage(WebSocket webSocket, String text) {
                received.add(text);
            }
        });
        socket.send("hello");
        socket.send("again");
        assertThat(received.poll(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("echo from ws: hello");
        assertThat(received.poll(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("echo from ws: again");
        socket.close(1000, "done");
        services.stop("sockets");
    }

    @Test
    void aRollingUpdateKeepsTheServiceAnsweringThroughout() throws Exception {
        String probes = ",\"probes\":[{\"type\":\"http\",\"url\":\"/ready\",\"interval\":\"1s\",\"ready_after\":2}]";
        services.apply(ServiceFixture.service("rolling", "1", ",\"replicas\":2" + probes));
        String root = "/proxy/services/main/rolling/";
        jobsAnswering(root, 2);
        JsonNode before = services.get("rolling");
        assertThat(ServiceFixture.replicas(before)).allSatisfy(job ->
                assertThat(job.path("probes").get(0).path("success_streak").asInt()).isGreaterThanOrEqualTo(2));

        // A steady stream of requests while version 2 replaces version 1.
        List<ServiceFixture.Reply> replies = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean going = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load = new Thread(() -> {
            while (going.get()) {
                replies.add(services.get(root, api.adminToken));
            }
        });
        load.start();
        try {
            JsonNode updated = services.apply(ServiceFixture.service("rolling", "2", ",\"replicas\":2" + probes));
            assertThat(updated.path("deployment_num").asInt()).isEqualTo(1);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
                List<JsonNode> active = ServiceFixture.replicas(services.get("rolling")).stream()
                        .filter(job -> !job.path("status").asText().matches("terminated|failed|done|aborted")).toList();
                return active.size() == 2 && active.stream().allMatch(job -> job.path("deployment_num").asInt() == 1
                        && job.path("status").asText().equals("running"));
            });
            int seen = replies.size();
            await().atMost(WAIT).until(() -> replies.size() > seen + 20);
        } finally {
            going.set(false);
            load.join();
        }
        assertThat(replies).allSatisfy(reply -> assertThat(reply.code()).as(reply.body()).isEqualTo(200));
        assertThat(replies.get(0).field("version")).isEqualTo("1");
        assertThat(replies.get(replies.size() - 1).field("version")).isEqualTo("2");
        JsonNode after = services.get("rolling");
        assertThat(after.path("status").asText()).isEqualTo("running");
        // Old replicas' numbers may be taken by new ones (as in dstack), so look at every submission.
        List<JsonNode> old = new ArrayList<>();
        after.path("jobs").forEach(job -> job.path("job_submissions").forEach(submission -> {
            if (submission.path("deployment_num").asInt() == 0) {
                old.add(submission);
            }
        }));
        assertThat(old).hasSize(2).allSatisfy(job -> assertThat(job.path("termination_reason").asText()).isEqualTo("scaled_down"));

        // A change dstack cannot make in place is refused with the reason.
        com.fasterxml.jackson.databind.node.ObjectNode gateway = ServiceFixture.service("rolling", "2", ",\"replicas\":2" + probes + ",\"auth\":false");
        ObjectNodeApply refused = new ObjectNodeApply(gateway);
        assertThat(refused.message()).startsWith("Cannot override active run. Stop the run first.").contains("configuration.auth");
        services.stop("rolling");
    }

    /** An apply the server refuses, and its message. */
    private record ObjectNodeApply(com.fasterxml.jackson.databind.node.ObjectNode configuration) {
        String message() {
            com.fasterxml.jackson.databind.node.ObjectNode body = ApiServer.object();
            com.fasterxml.jackson.databind.node.ObjectNode plan = body.putObject("plan");
            plan.putObject("run_spec").put("run_name", configuration.path("name").asText()).set("configuration", configuration);
            plan.set("current_resource", services.get(configuration.path("name").asText()));
            body.put("force", false);
            ApiServer.Reply reply = api.post(ServiceFixture.P + "runs/apply", api.adminToken, body);
            assertThat(reply.status()).isEqualTo(400);
            return reply.body().path("detail").get(0).path("msg").asText();
        }
    }
}
