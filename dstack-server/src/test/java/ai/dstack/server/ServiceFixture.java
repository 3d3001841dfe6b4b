package ai.dstack.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Request;
import okhttp3.Response;

/** Service runs through the API, and requests through the proxy, for the services tests. */
final class ServiceFixture {
    static final String P = "/api/project/main/";
    private static final String SMALL = "\"resources\":{\"cpu\":\"0..\",\"memory\":\"0GB..\"}";

    private final ApiServer api;
    private final String token;

    ServiceFixture(ApiServer api) {
        this.api = api;
        this.token = api.adminToken;
    }

    /** The replica program every test service runs (python3's http.server, on port 8000 unless PORT says otherwise). */
    static String replicaSource() {
        try (InputStream in = ServiceFixture.class.getResourceAsStream("/services/replica.py")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A service configuration running the replica program; {@code extra} is more JSON fields ({@code ,"a":1}). */
    static ObjectNode service(String name, String version, String extra) {
        ObjectNode env = ApiServer.object().put("APP", replicaSource()).put("VERSION", version);
        return ApiServer.json("{\"type\":\"service\",\"name\":\"" + name + "\"," + SMALL
                + ",\"port\":8000,\"commands\":[\"python3 -u -c \\\"$APP\\\"\"],\"env\":" + env + extra + "}");
    }

    JsonNode apply(ObjectNode configuration) {
        ApiServer.Reply init = api.post(P + "repos/init", token,
                "{\"repo_id\":\"none\",\"repo_info\":{\"repo_type\":\"virtual\"},\"repo_creds\":null}");
        assertThat(init.status()).as("%s", init).isEqualTo(200);
        ObjectNode spec = ApiServer.object();
        spec.put("run_name", configuration.path("name").asText());
        spec.put("configuration_path", "service.dstack.yml");
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
        return run.body();
    }

    JsonNode get(String runName) {
        ApiServer.Reply run = api.post(P + "runs/get", token, "{\"run_name\":\"" + runName + "\"}");
        assertThat(run.status()).as("%s", run).isEqualTo(200);
        return run.body();
    }

    void stop(String runName) {
        api.post(P + "runs/stop", token, "{\"runs_names\":[\"" + runName + "\"],\"abort\":true}");
    }

    /**
     * Stops every active run and waits until they all finished: jobs outlive a closed engine by design, so a test
     * that closed its server with replicas running would leave them behind.
     */
    static void stopAll(ApiServer api) {
        ApiServer.Reply active = api.post("/api/runs/list", api.adminToken, "{\"only_active\":true}");
        List<String> names = new ArrayList<>();
        active.body().forEach(run -> names.add(run.path("run_spec").path("run_name").asText()));
        for (String name : names) {
            api.post(P + "runs/stop", api.adminToken, "{\"runs_names\":[\"" + name + "\"],\"abort\":true}");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                api.post("/api/runs/list", api.adminToken, "{\"only_active\":true}").body().isEmpty());
    }

    /** The newest submission of every replica. */
    static List<JsonNode> replicas(JsonNode run) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode job : run.path("jobs")) {
            JsonNode submissions = job.path("job_submissions");
            out.add(submissions.get(submissions.size() - 1));
        }
        return out;
    }

    /** A plain HTTP reply. */
    record Reply(int code, String body) {
        String field(String name) {
            for (String part : body.split(" ")) {
                if (part.startsWith(name + "=")) {
                    return part.substring(name.length() + 1);
                }
            }
            return null;
        }
    }

    Reply call(String method, String path, String token, String body) {
        Request.Builder request = new Request.Builder().url(api.server.url() + path)
                .method(method, body == null ? null : okhttp3.RequestBody.create(body, ApiServer.JSON));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try (Response response = api.http.newCall(request.build()).execute()) {
            return new Reply(response.code(), response.body().string());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        }
    }

    Reply get(String path, String token) {
        return call("GET", path, token, null);
    }
}
