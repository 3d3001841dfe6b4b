package ai.dstack.server.internal;

import ai.dstack.api.configuration.ServiceModel;
import ai.dstack.api.json.DstackJson;
import ai.dstack.core.app.ServiceDirectory;
import ai.dstack.core.app.ServiceTarget;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * dstack's in-server service proxy: {@code /proxy/services/<project>/<run>/...} goes to the run's ready replicas in
 * turn (any method; request and response bodies streamed, so server-sent events pass as they come), and
 * {@code /proxy/models/<project>/} is the OpenAI-compatible endpoint of the models services publish. Services with
 * {@code auth: true} (and the models endpoint) want the token of a member of the project. Every proxied request is
 * counted for the autoscaler.
 */
public final class ServiceProxy {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);
    private static final String SERVICES = "/proxy/services/";
    private static final String MODELS = "/proxy/models/";
    /** Bodies up to this size are kept so that a request can go to another replica when one is gone. */
    private static final long REPLAYABLE_BODY = 1024 * 1024;
    /** Not forwarded: connection-level headers, and those the JDK client sets itself. */
    private static final Set<String> SKIPPED_HEADERS = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect",
            "date", "from", "via", "warning", "http2-settings");

    /** Every server names itself in this header of what it forwards: seeing its own name again is a loop. */
    static final String HOP_HEADER = "X-Dstack-Proxy-Hop";
    /** How many requests one service may have in flight through this server; more get 503 at once. */
    public static final int MAX_IN_FLIGHT_PER_SERVICE = 256;
    /** How long a replica may take to start its reply (its headers); a streamed body may take longer. */
    static final Duration UPSTREAM_REPLY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration UPSTREAM_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final ServiceDirectory services;
    private final WebSocketProxy webSockets;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(UPSTREAM_CONNECT_TIMEOUT).build();
    private final Map<UUID, AtomicInteger> turns = new ConcurrentHashMap<>();
    private final Map<UUID, java.util.concurrent.Semaphore> inFlight = new ConcurrentHashMap<>();
    private final String hopId = UUID.randomUUID().toString();
    private final java.util.function.IntSupplier ownPort;

    public ServiceProxy(ServiceDirectory services) {
        this(services, () -> -1);
    }

    /** @param ownPort the server's own HTTP port (-1 while unknown): a service there would be the server itself */
    public ServiceProxy(ServiceDirectory services, java.util.function.IntSupplier ownPort) {
        this.services = services;
        this.ownPort = ownPort;
        this.webSockets = new WebSocketProxy(this);
    }

    public void register(RoutesConfig routes) {
        for (HandlerType method : List.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT, HandlerType.PATCH,
                HandlerType.DELETE, HandlerType.HEAD, HandlerType.OPTIONS)) {
            routes.addHttpHandler(method, SERVICES + "{project}/{run}", this::service);
            routes.addHttpHandler(method, SERVICES + "{project}/{run}/<path>", this::service);
        }
        routes.ws(SERVICES + "{project}/{run}/<path>", webSockets::configure);
        routes.get(MODELS + "{project}/models", this::listModels);
        routes.post(MODELS + "{project}/chat/completions", this::chatCompletions);
    }

    /** A proxy error as dstack's proxy answers it: {@code {"detail": "..."}}. */
    static final class ProxyError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        ProxyError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void service(Context ctx) {
        try {
            String project = ctx.pathParam("project");
            String run = ctx.pathParam("run");
            String prefix = SERVICES + project + "/" + run;
            String uri = ctx.req().getRequestURI();
            int at = uri.indexOf(prefix);
            String rest = at < 0 ? "" : uri.substring(at + prefix.length());
            if (rest.isEmpty()) {
                // dstack redirects the service's bare name to its root
                String query = ctx.req().getQueryString();
                ctx.status(308).header("Location", uri + "/" + (query == null ? "" : "?" + query));
                return;
            }
            if (ctx.header("Upgrade") != null) {
                throw new ProxyError(400, "Upgrading connections is not supported");
            }
            refuseLoop(ctx);
            ServiceTarget target = target(project, run, ctx.header("Authorization"));
            String path = target.stripPrefix() ? rest : uri;
            String storedProject = services.project(project).orElse(project);
            forward(ctx, target, path, readBody(ctx), () -> services.find(storedProject, run));
        } catch (ProxyError e) {
            error(ctx, e);
        }
    }

    /** A request this server already forwarded came back to it (a service whose port leads to a proxy): stop here. */
    private void refuseLoop(Context ctx) {
        for (String hops : java.util.Collections.list(ctx.req().getHeaders(HOP_HEADER))) {
            if (List.of(hops.split("\\s*,\\s*")).contains(hopId)) {
                throw new ProxyError(508, "Proxy loop detected: the service's replica forwards back to this server");
            }
        }
    }

    /** The service and the check of its caller; counts the request for the autoscaler. */
    ServiceTarget target(String projectName, String runName, String authorization) {
        String project = services.project(projectName).orElseThrow(
                () -> new ProxyError(404, "Service " + projectName + "/" + runName + " not found"));
        ServiceTarget target = services.find(project, runName).orElseThrow(
                () -> new ProxyError(404, "Service " + projectName + "/" + runName + " not found"));
        if (target.auth()) {
            enforceMember(project, authorization);
        }
        services.recordRequest(target.runId());
        if (target.replicas().isEmpty()) {
            throw new ProxyError(404, "Service " + projectName + "/" + runName + " not found");
        }
        return target;
    }

    private void enforceMember(String project, String authorization) {
        if (!services.mayUse(bearer(authorization), project)) {
            throw new ProxyError(403, "Unauthenticated or unauthorized to access project " + project);
        }
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String trimmed = header.trim();
        int space = trimmed.indexOf(' ');
        if (space < 0 || !trimmed.substring(0, space).equalsIgnoreCase("bearer")) {
            return null;
        }
        String token = trimmed.substring(space + 1).trim();
        return token.isEmpty() ? null : token;
    }

    /** The next replica in turn. */
    InetSocketAddress pick(ServiceTarget target, int offset) {
        int turn = turns.computeIfAbsent(target.runId(), id -> new AtomicInteger()).getAndIncrement();
        List<InetSocketAddress> replicas = target.replicas();
        return replicas.get(Math.floorMod(turn + offset, replicas.size()));
    }

    /** The request body: kept when small (so it can be sent again), streamed when large or of unknown size. */
    private record Body(byte[] bytes, InputStream stream, long length) {
        boolean replayable() {
            return stream == null;
        }

        HttpRequest.BodyPublisher publisher() {
            if (bytes != null) {
                return bytes.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes);
            }
            HttpRequest.BodyPublisher streamed = HttpRequest.BodyPublishers.ofInputStream(() -> stream);
            return length >= 0 ? HttpRequest.BodyPublishers.fromPublisher(streamed, length) : streamed;
        }
    }

    private static Body readBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        boolean chunked = ctx.header("Transfer-Encoding") != null;
        try {
            if (!chunked && length <= 0) {
                return new Body(new byte[0], null, 0);
            }
            if (!chunked && length <= REPLAYABLE_BODY) {
                return new Body(ctx.req().getInputStream().readAllBytes(), null, length);
            }
            return new Body(null, ctx.req().getInputStream(), chunked ? -1 : length);
        } catch (IOException e) {
            throw new ProxyError(400, "Cannot read the request body: " + e.getMessage());
        }
    }

    private void forward(Context ctx, ServiceTarget target, String pathAndQuery, Body body,
            Supplier<Optional<ServiceTarget>> current) {
        java.util.concurrent.Semaphore slots = inFlight.computeIfAbsent(target.runId(),
                id -> new java.util.concurrent.Semaphore(MAX_IN_FLIGHT_PER_SERVICE));
        if (!slots.tryAcquire()) {
            throw new ProxyError(503, "Service " + target.projectName() + "/" + target.runName() + " has "
                    + MAX_IN_FLIGHT_PER_SERVICE + " requests in flight already; try again later");
        }
        try {
            forwardHeld(ctx, target, pathAndQuery, body, current);
        } finally {
            slots.release();
        }
    }

    /**
     * @param current the service's replicas as they are now: when every replica tried went away (one was stopped
     *     while this request was on its way, e.g. in a rolling update), a replayable request goes to one that is new
     */
    private void forwardHeld(Context ctx, ServiceTarget target, String pathAndQuery, Body body,
            Supplier<Optional<ServiceTarget>> current) {
        String query = ctx.req().getQueryString();
        String path = pathAndQuery + (query == null || pathAndQuery.contains("?") ? "" : "?" + query);
        int attempts = body.replayable() ? target.replicas().size() + 1 : 1;
        IOException last = null;
        java.util.Set<InetSocketAddress> tried = new java.util.HashSet<>();
        for (int attempt = 0; attempt < attempts; attempt++) {
            InetSocketAddress replica = pick(target, 0);
            if (attempt == attempts - 1 && body.replayable() && tried.containsAll(target.replicas())) {
                List<InetSocketAddress> fresh = current.get().map(ServiceTarget::replicas).orElse(List.of())
                        .stream().filter(address -> !tried.contains(address)).toList();
                if (!fresh.isEmpty()) {
                    replica = fresh.get(0);
                }
            }
            tried.add(replica);
            if (replica.getPort() == ownPort.getAsInt()) {
                throw new ProxyError(508, "Service " + target.projectName() + "/" + target.runName() + " listens on "
                        + replica.getPort() + ", which is this server's own port: change the service's port");
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.getPort() + path))
                    .method(ctx.method().name(), body.publisher()).timeout(UPSTREAM_REPLY_TIMEOUT);
            copyRequestHeaders(ctx, request, target.auth());
            request.header(HOP_HEADER, hopId);
            HttpResponse<InputStream> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (HttpTimeoutException e) {
                throw new ProxyError(504, "Timed out requesting upstream");
            } catch (IOException e) {
                last = e;
                continue; // the replica went away: the next one takes it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProxyError(502, "Error requesting upstream");
            } catch (IllegalArgumentException e) {
                throw new ProxyError(400, "Cannot forward this request: " + e.getMessage());
            }
            byte[] whole;
            try {
                whole = hasNoBody(ctx.method().name(), response.statusCode()) ? new byte[0] : smallBody(response);
            } catch (IOException e) {
                last = e; // the replica went away in the middle of its reply: nothing was sent yet, so try the next
                continue;
            }
            stream(ctx, response, whole);
            return;
        }
        LOG.debug("No replica of {}/{} answered", target.projectName(), target.runName(), last);
        throw new ProxyError(502, "Error requesting upstream");
    }

    /**
     * The caller's headers, but not the connection's own; with {@code auth} not the caller's dstack token either
     * (it authorized the call here and is no business of the service's).
     */
    static void copyRequestHeaders(Context ctx, HttpRequest.Builder request, boolean auth) {
        for (String name : java.util.Collections.list(ctx.req().getHeaderNames())) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (SKIPPED_HEADERS.contains(lower) || auth && lower.equals("authorization")) {
                continue;
            }
            for (String value : java.util.Collections.list(ctx.req().getHeaders(name))) {
                try {
                    request.header(name, value);
                } catch (IllegalArgumentException e) {
                    // a header the JDK client will not send (it sets it itself)
                }
            }
        }
    }

    /** Replies that never have a body, whatever their Content-Length says. */
    private static boolean hasNoBody(String method, int status) {
        return method.equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200);
    }

    /**
     * The whole body of a small reply of known length, read before anything goes to the caller, so that a replica
     * that stops in the middle of it (scaled down, killed) costs a retry instead of a broken reply; null for a
     * large, open-ended or event-stream reply, which is streamed.
     */
    private static byte[] smallBody(HttpResponse<InputStream> response) throws IOException {
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (length < 0 || length > REPLAYABLE_BODY || type.startsWith("text/event-stream")) {
            return null;
        }
        try (InputStream in = response.body()) {
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new IOException("the replica's reply ended after " + body.length + " of " + length + " bytes");
            }
            return body;
        }
    }

    /** Sends the upstream reply as it comes, flushing every chunk (server-sent events must not wait in a buffer). */
    private static void stream(Context ctx, HttpResponse<InputStream> response, byte[] whole) {
        ctx.attribute(Router.HANDLED, Boolean.TRUE); // a replica's own 404 or 405 is its reply, not the server's
        ctx.status(response.statusCode());
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (name.startsWith(":") || lower.equals("connection") || lower.equals("keep-alive")
                    || lower.equals("transfer-encoding") || lower.equals("server") || lower.equals("date")) {
                return;
            }
            values.forEach(value -> ctx.res().addHeader(name, value));
        });
        if (whole != null) {
            try {
                ctx.res().getOutputStream().write(whole);
            } catch (IOException e) {
                LOG.debug("Sending a service reply failed: {}", e.toString());
            }
            return;
        }
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = response.body()) {
            OutputStream out = ctx.res().getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("Streaming a service reply stopped: {}", e.toString());
        }
    }

    // The OpenAI-compatible models endpoint.

    private void listModels(Context ctx) {
        try {
            String project = modelProject(ctx);
            ObjectNode reply = DstackJson.mapper().createObjectNode().put("object", "list");
            ArrayNode data = reply.putArray("data");
            for (ServiceTarget target : services.models(project)) {
                data.addObject().put("object", "model").put("id", target.model().name())
                        .put("created", target.submittedAt().getEpochSecond()).put("owned_by", project);
            }
            json(ctx, 200, reply);
        } catch (ProxyError e) {
            error(ctx, e);
        }
    }

    private void chatCompletions(Context ctx) {
        try {
            String project = modelProject(ctx);
            byte[] bytes;
            try {
                bytes = ctx.req().getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new ProxyError(400, "Cannot read the request body: " + e.getMessage());
            }
            String model;
            try {
                JsonNode body = DstackJson.mapper().readTree(bytes);
                model = body == null ? null : body.path("model").asText(null);
            } catch (IOException e) {
                throw new ProxyError(422, "The request body is not JSON: " + e.getMessage());
            }
            if (model == null) {
                throw new ProxyError(422, "The request has no 'model'");
            }
            String wanted = model;
            ServiceTarget target = services.models(project).stream()
                    .filter(t -> t.model().name().equals(wanted)).findFirst()
                    .orElseThrow(() -> new ProxyError(404, "Model " + wanted + " not found in project " + project));
            if (!(target.model() instanceof ServiceModel.OpenAiChat openai)) {
                throw new ProxyError(400, "Model " + wanted + " is served in format " + target.model().format()
                        + "; this endpoint forwards OpenAI-format models only");
            }
            services.recordRequest(target.runId());
            if (target.replicas().isEmpty()) {
                throw new ProxyError(503, "Model " + wanted + " in project " + project + " has no ready replica yet");
            }
            String prefix = openai.prefix().endsWith("/") ? openai.prefix().substring(0, openai.prefix().length() - 1)
                    : openai.prefix();
            forward(ctx, target, prefix + "/chat/completions", new Body(bytes, null, bytes.length), Optional::empty);
        } catch (ProxyError e) {
            error(ctx, e);
        }
    }

    /** The models endpoint always wants a project member's token, as dstack's does. */
    private String modelProject(Context ctx) {
        String name = ctx.pathParam("project");
        String project = services.project(name).orElseThrow(
                () -> new ProxyError(403, "Unauthenticated or unauthorized to access project " + name));
        enforceMember(project, ctx.header("Authorization"));
        return project;
    }

    private static void json(Context ctx, int status, JsonNode body) {
        ctx.attribute(Router.HANDLED, Boolean.TRUE);
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void error(Context ctx, ProxyError e) {
        json(ctx, e.status, DstackJson.mapper().createObjectNode().put("detail", e.getMessage()));
    }
}
