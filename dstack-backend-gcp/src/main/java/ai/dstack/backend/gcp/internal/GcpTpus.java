package ai.dstack.backend.gcp.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import ai.dstack.spi.backend.CloudResource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * TPU VMs through the Cloud TPU API v2 ({@code tpu.googleapis.com/v2/projects/*}{@code /locations/*}{@code /nodes}) over
 * its REST JSON, as the Java SDK for it does not resolve here: nodes are created and deleted through long-running
 * operations, read for their state and addresses, and listed by their labels. The endpoint is Google's unless
 * {@code DSTACK_GCP_TPU_ENDPOINT} (or the system property {@code dstack.gcp.tpuEndpoint}) names another, e.g. a
 * test's fake.
 */
final class GcpTpus {
    static final String KIND = "tpu";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Operation error codes (google.rpc.Code names and numbers) that mean no capacity now. */
    private static final Set<String> NO_CAPACITY = Set.of("RESOURCE_EXHAUSTED", "8", "UNAVAILABLE", "14");
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration OPERATION_TIMEOUT = Duration.ofMinutes(20);

    /** A node as the API reads it: its state and its first network endpoint's addresses. */
    record Node(String state, String internalIp, String externalIp) {}

    private final GcpSettings settings;
    private final Supplier<String> accessToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();

    GcpTpus(GcpSettings settings, Supplier<String> accessToken) {
        this.settings = settings;
        this.accessToken = accessToken;
    }

    static String endpoint() {
        String value = System.getProperty("dstack.gcp.tpuEndpoint");
        if (value == null || value.isBlank()) {
            value = System.getenv("DSTACK_GCP_TPU_ENDPOINT");
        }
        return value == null || value.isBlank() ? "https://tpu.googleapis.com" : value;
    }

    /** The TPU software version dstack boots each TPU generation with. */
    static String runtimeVersion(String acceleratorType) {
        if (acceleratorType.startsWith("v5litepod") || acceleratorType.startsWith("v5e")) {
            return "v2-alpha-tpuv5-lite";
        }
        if (acceleratorType.startsWith("v6e")) {
            return "v2-alpha-tpuv6e";
        }
        return "tpu-ubuntu2204-base";
    }

    /** Creates the node and waits for the create operation; its errors as {@link BackendException}s. */
    void create(String zone, String name, ObjectNode node) {
        String path = "/v2/projects/" + settings.projectId() + "/locations/" + zone + "/nodes?nodeId="
                + URLEncoder.encode(name, StandardCharsets.UTF_8);
        JsonNode operation = send("POST", path, node, "creating TPU " + name + " in " + zone);
        await(operation, "creating TPU " + name + " in " + zone);
    }

    /** The node; empty once it is gone. */
    Optional<Node> get(String zone, String name) {
        JsonNode node;
        try {
            node = send("GET", nodePath(zone, name), null, "reading TPU " + name);
        } catch (BackendException e) {
            if (e.failure() == BackendFailure.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        JsonNode endpoint = node.path("networkEndpoints").path(0);
        return Optional.of(new Node(node.path("state").asText(), endpoint.path("ipAddress").asText(null),
                endpoint.path("accessConfig").path("externalIp").asText(null)));
    }

    /** Deletes the node and waits; true once it is gone. */
    boolean delete(String zone, String name) {
        try {
            await(send("DELETE", nodePath(zone, name), null, "deleting TPU " + name), "deleting TPU " + name);
        } catch (BackendException e) {
            if (e.failure() != BackendFailure.NOT_FOUND) {
                throw e;
            }
        }
        return get(zone, name).isEmpty();
    }

    /** The project's nodes in every location carrying all of the labels; a node's region is its zone. */
    List<CloudResource> find(Map<String, String> labels) {
        List<CloudResource> found = new ArrayList<>();
        String pageToken = null;
        do {
            String path = "/v2/projects/" + settings.projectId() + "/locations/-/nodes"
                    + (pageToken == null ? "" : "?pageToken=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8));
            JsonNode page = send("GET", path, null, "listing TPU nodes");
            for (JsonNode node : page.path("nodes")) {
                Map<String, String> nodeLabels = JSON.convertValue(node.path("labels"),
                        JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
                if (nodeLabels != null && nodeLabels.entrySet().containsAll(labels.entrySet())) {
                    // name: projects/<p>/locations/<zone>/nodes/<id>
                    String[] p = node.path("name").asText().split("/");
                    found.add(new CloudResource(KIND, p[p.length - 1], p[3], nodeLabels));
                }
            }
            pageToken = page.path("nextPageToken").asText(null);
            if (pageToken != null && pageToken.isEmpty()) {
                pageToken = null;
            }
        } while (pageToken != null);
        return found;
    }

    private String nodePath(String zone, String name) {
        return "/v2/projects/" + settings.projectId() + "/locations/" + zone + "/nodes/" + name;
    }

    /** Polls {@code GET /v2/<operation name>} until {@code done}; an {@code error} becomes a typed exception. */
    private void await(JsonNode operation, String doing) {
        long deadline = System.nanoTime() + OPERATION_TIMEOUT.toNanos();
        JsonNode op = operation;
        while (!op.path("done").asBoolean(false)) {
            if (System.nanoTime() > deadline) {
                throw new BackendException(BackendFailure.OTHER, "gcp: " + doing + ": the operation "
                        + op.path("name").asText() + " did not finish in " + OPERATION_TIMEOUT.toMinutes() + " min");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendFailure.OTHER, "gcp: " + doing + ": interrupted");
            }
            op = send("GET", "/v2/" + op.path("name").asText(), null, doing);
        }
        JsonNode error = op.get("error");
        if (error != null && !error.isNull()) {
            String code = error.path("code").asText();
            String message = error.path("message").asText();
            BackendFailure failure = NO_CAPACITY.contains(code) ? BackendFailure.NO_CAPACITY
                    : code.equals("5") ? BackendFailure.NOT_FOUND
                    : code.equals("7") ? BackendFailure.PERMISSION_DENIED : BackendFailure.OTHER;
            throw new BackendException(failure, "gcp: " + doing + " failed: " + message, code, message, null);
        }
    }

    private JsonNode send(String method, String path, JsonNode body, String doing) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint() + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + accessToken.get())
                .header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new BackendException(BackendFailure.OTHER, "gcp: " + doing + ": the TPU API could not be reached: "
                    + e.getMessage(), null, e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(BackendFailure.OTHER, "gcp: " + doing + ": interrupted");
        }
        JsonNode json;
        try {
            json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new BackendException(BackendFailure.OTHER, "gcp: " + doing + ": the TPU API answered "
                    + response.statusCode() + " with no JSON");
        }
        int status = response.statusCode();
        if (status >= 300) {
            // {"error": {"code": 404, "message": "...", "status": "NOT_FOUND"}}
            String code = json.path("error").path("status").asText(String.valueOf(status));
            String message = json.path("error").path("message").asText(response.body());
            BackendFailure failure = status == 404 ? BackendFailure.NOT_FOUND
                    : status == 401 ? BackendFailure.INVALID_CREDENTIALS
                    : status == 403 ? BackendFailure.PERMISSION_DENIED
                    : status == 429 || NO_CAPACITY.contains(code) ? BackendFailure.NO_CAPACITY : BackendFailure.OTHER;
            throw new BackendException(failure, "gcp: " + doing + " failed: " + code + ": " + message, code, message,
                    null);
        }
        return json;
    }
}
