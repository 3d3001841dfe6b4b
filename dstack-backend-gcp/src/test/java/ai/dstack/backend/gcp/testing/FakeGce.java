package ai.dstack.backend.gcp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A fake Compute Engine for tests, speaking its REST API ({@code /compute/v1/projects/...}, JSON bodies, long-running
 * {@code compute#operation}s waited for with {@code operations.wait}, errors as Google's JSON error body) and an OAuth
 * token endpoint ({@code POST /token}, the JWT-bearer grant a service account key makes). Every call is recorded.
 * State is kept per GCP project; a service account may only touch its own project.
 *
 * <p>A VM that runs is a real SSH server on its own loopback address, reported as its internal and external IP;
 * nothing here ever reports an address outside 127.0.0.0/8. {@link #shared()} points the backend at this fake with
 * the system property {@code dstack.gcp.computeEndpoint}; the service account keys it hands out name its
 * {@code /token} as {@code token_uri}.
 */
public final class FakeGce implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static FakeGce shared;

    private final HttpServer server;
    private final Map<String, FakeGceProject> projects = new ConcurrentHashMap<>();
    private final Map<String, FakeGceProject> tokens = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    /** One request: the project it was for (null for the token endpoint), the method and the path. */
    public record Call(String project, String method, String path, String body) {}

    private FakeGce() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-gce");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The JVM's fake, started on first use; GCP backends built afterwards talk to it. */
    public static synchronized FakeGce shared() {
        if (shared == null) {
            try {
                shared = new FakeGce();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the fake GCE", e);
            }
            System.setProperty("dstack.gcp.computeEndpoint", shared.url());
            System.setProperty("dstack.gcp.tpuEndpoint", shared.url());
        }
        return shared;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A new GCP project with its own service account. */
    public FakeGceProject newProject() {
        String id = "fake-" + UUID.randomUUID().toString().substring(0, 8);
        FakeGceProject project = new FakeGceProject(id, url());
        projects.put(id, project);
        return project;
    }

    public List<Call> calls(FakeGceProject project) {
        return calls.stream().filter(c -> project.id().equals(c.project())).toList();
    }

    /** {@code METHOD path} of a project's calls, in order, without the {@code /compute/v1/projects/<id>} prefix. */
    public List<String> requests(FakeGceProject project) {
        String prefix = "/compute/v1/projects/" + project.id();
        return calls(project).stream().map(c -> c.method() + " " + c.path().replace(prefix, "")).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> query = parse(exchange.getRequestURI().getRawQuery());
        int status;
        Object reply;
        try {
            if (path.equals("/token")) {
                calls.add(new Call(null, method, path, body));
                reply = token(parse(body));
                status = 200;
            } else {
                boolean tpu = path.startsWith("/v2/projects/");
                if (!path.startsWith("/compute/v1/projects/") && !tpu) {
                    throw new GceError(404, "notFound", "Not found: " + path);
                }
                String rest = path.substring(tpu ? "/v2/projects/".length() : "/compute/v1/projects/".length());
                String projectId = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
                calls.add(new Call(projectId, method, path, body));
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                FakeGceProject caller = auth == null ? null : tokens.get(auth.replaceFirst("^Bearer ", ""));
                if (caller == null) {
                    throw new GceError(401, "authError", "Request had invalid authentication credentials. "
                            + "Expected OAuth 2 access token, login cookie or other valid authentication credential.");
                }
                FakeGceProject project = projects.get(projectId);
                if (project == null || project != caller) {
                    throw new GceError(403, "forbidden", "Required 'compute.projects.get' permission for "
                            + "'projects/" + projectId + "'");
                }
                String sub = rest.substring(projectId.length());
                ObjectNode json = body.isEmpty() ? null : (ObjectNode) JSON.readTree(body);
                reply = tpu ? project.handleTpu(method, sub, json, query) : project.handle(method, sub, json, query);
                status = 200;
            }
        } catch (GceError e) {
            status = e.status;
            ObjectNode error = JSON.createObjectNode();
            ObjectNode inner = error.putObject("error").put("code", e.status).put("message", e.getMessage());
            inner.putArray("errors").addObject().put("message", e.getMessage()).put("domain", "global")
                    .put("reason", e.reason);
            reply = error;
        } catch (RuntimeException e) {
            status = 500;
            ObjectNode error = JSON.createObjectNode();
            error.putObject("error").put("code", 500).put("message", String.valueOf(e));
            reply = error;
        }
        byte[] bytes = JSON.writeValueAsBytes(reply);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** OAuth's JWT-bearer grant: the assertion's issuer must be a known, not revoked service account. */
    private Object token(Map<String, String> form) {
        String assertion = form.getOrDefault("assertion", "");
        String[] parts = assertion.split("\\.");
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type")) || parts.length != 3) {
            throw new GceError(400, "invalid_request", "invalid_request: Invalid grant type or assertion");
        }
        JsonNode claims;
        try {
            claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | IllegalArgumentException e) {
            throw new GceError(400, "invalid_grant", "invalid_grant: Invalid JWT");
        }
        String issuer = claims.path("iss").asText();
        FakeGceProject project = projects.values().stream().filter(p -> p.serviceAccountEmail().equals(issuer)
                && !p.revoked()).findFirst().orElseThrow(() -> new GceError(400, "invalid_grant",
                        "invalid_grant: Invalid JWT Signature."));
        String token = "ya29.fake-" + UUID.randomUUID();
        tokens.put(token, project);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("access_token", token);
        reply.put("expires_in", 3599);
        reply.put("token_type", "Bearer");
        return reply;
    }

    private static Map<String, String> parse(String form) {
        Map<String, String> params = new LinkedHashMap<>();
        if (form == null) {
            return params;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    @Override
    public void close() {
        projects.values().forEach(FakeGceProject::close);
        server.stop(0);
    }

    /** An error GCE answers with: HTTP status, reason and message. */
    static final class GceError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String reason;

        GceError(int status, String reason, String message) {
            super(message);
            this.status = status;
            this.reason = reason;
        }
    }
}
