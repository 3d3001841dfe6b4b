package ai.dstack.server.internal;

import ai.dstack.api.json.DstackJson;
import ai.dstack.core.app.Caller;
import ai.dstack.core.app.DstackApp;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every API call through dstack's order of checks, except that no body is read before its caller is known: the
 * client version must be acceptable (400), the token valid and the project known (403, 404), the role sufficient
 * (403), the body JSON (422), the fields valid (422); then the handler runs and its reply is written with
 * {@link DstackJson}. A body is counted as it is read (chunked or not) and refused with 413 past the limit, and the
 * connection is closed after the 413 (the rest of the body is never read), as after any refusal whose body was not
 * read.
 */
public final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    /** Set on replies the routes wrote themselves, so the error pages leave them alone. */
    static final String HANDLED = "dstack.handled";

    private final DstackApp app;
    private final UnknownFields unknown = new UnknownFields();
    private final long maxRequestSize;
    private final String serverVersion;
    private final long uploadLimit;
    private volatile RequestObserver observer = RequestObserver.NONE;

    public Router(DstackApp app, long maxRequestSize, String serverVersion) {
        this(app, maxRequestSize, serverVersion, DEFAULT_UPLOAD_LIMIT);
    }

    /** @param uploadLimit dstack's {@code DSTACK_SERVER_CODE_UPLOAD_LIMIT} for code and file uploads; 0 for none */
    public Router(DstackApp app, long maxRequestSize, String serverVersion, long uploadLimit) {
        this.app = app;
        this.maxRequestSize = maxRequestSize;
        this.serverVersion = serverVersion;
        this.uploadLimit = uploadLimit;
    }

    /** Hears every API request's duration (the Prometheus endpoint, when enabled). */
    public void observe(RequestObserver observer) {
        this.observer = observer;
    }

    /** dstack's default code and archive upload limit: 2 MiB. */
    public static final long DEFAULT_UPLOAD_LIMIT = 2L * 1024 * 1024;

    /** Registers dstack's routes, the health check, and the replies for errors and unknown routes. */
    public void register(RoutesConfig routes) {
        routes.get("/healthcheck", ctx -> reply(ctx, 200, DstackJson.mapper().createObjectNode().put("status", "running")));
        for (Route route : ApiRoutes.all(app, serverVersion)) {
            routes.post(route.path(), ctx -> handle(route, ctx));
            if (MetricsRoutes.GET_PATHS.contains(route.path())) {
                routes.get(route.path(), ctx -> handle(route, ctx));
            }
        }
        routes.exception(Exception.class, (e, ctx) -> fail(ctx, ErrorReplies.of(e, ctx.method() + " " + ctx.path())));
        routes.error(404, ctx -> {
            if (ctx.attribute(HANDLED) == null) {
                fail(ctx, HttpProblem.routeNotFound());
            }
        });
        routes.error(405, ctx -> {
            if (ctx.attribute(HANDLED) == null) {
                fail(ctx, HttpProblem.methodNotAllowed());
            }
        });
    }

    private void handle(Route route, Context ctx) {
        long start = System.nanoTime();
        try {
            answer(route, ctx);
        } finally {
            observer.observe(ctx.method().name(), route.path(), ctx.statusCode(), System.nanoTime() - start);
        }
    }

    private void answer(Route route, Context ctx) {
        String where = ctx.method().name() + " " + route.path();
        boolean bodyRead = false;
        try {
            boolean multipart = route.body() == Route.Body.MULTIPART;
            if (ctx.path().startsWith("/api/")) {
                ApiVersion.check(ctx.header("X-API-VERSION"), serverVersion);
            }
            Caller caller = route.authenticated() ? app.authenticate(BearerToken.of(ctx)) : null;
            String project = ctx.pathParamMap().get("project_name");
            if (caller != null) {
                // The operation checks again; checking here answers 404/403 before the body's 422s, as dstack does.
                app.authorize(caller, route.operation(), project);
            }
            // Read every body, even one the route ignores: a connection left with unread content is closed under
            // the client's next request.
            byte[] bytes = multipart ? null : readLimited(ctx);
            bodyRead = !multipart;
            JsonNode body = route.body() == Route.Body.NONE || multipart ? null : parseBody(bytes);
            Fields fields = multipart ? new Fields(Fields.emptyObject(), List.of("body"), new Problems(), unknown,
                    route.path()) : fields(route, body);
            Upload upload = multipart ? upload(ctx) : null;
            bodyRead = true;
            java.util.Map<String, String> query = new java.util.LinkedHashMap<>();
            ctx.queryParamMap().forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
            Object result = route.handler().handle(new Call(app, caller, project, fields, upload, query,
                    ctx.pathParamMap()));
            reply(ctx, 200, result);
        } catch (Exception | StackOverflowError e) {
            HttpProblem problem = ErrorReplies.of(e, where);
            if (!bodyRead && hasBody(ctx) || problem.status() == 413) {
                ctx.header("Connection", "close"); // the unread rest of the body must not be taken for a request
            }
            fail(ctx, problem);
        }
    }

    private static boolean hasBody(Context ctx) {
        return ctx.req().getContentLengthLong() > 0 || ctx.header("Transfer-Encoding") != null;
    }

    /** The multipart {@code file} field; FastAPI's 422 when it is missing. */
    private Upload upload(Context ctx) throws IOException {
        if (ctx.req().getContentLengthLong() > maxRequestSize) {
            throw HttpProblem.tooLarge(maxRequestSize);
        }
        io.javalin.http.UploadedFile file = null;
        String contentType = ctx.contentType();
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            try {
                // Jetty counts the parts' bytes as they stream in against the server's multipart limit
                // (DstackServer sets it to the request limit), chunked or not.
                file = ctx.uploadedFile("file");
            } catch (Exception e) { // Javalin passes Jetty's ServletException on unchecked
                for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                    if (String.valueOf(cause.getMessage()).startsWith("max length exceeded")) {
                        throw HttpProblem.tooLarge(maxRequestSize);
                    }
                }
                throw HttpProblem.clientError("Cannot read the multipart body: " + e.getMessage(), null);
            }
        }
        if (file == null) {
            Problems problems = new Problems();
            problems.add(List.of("body", "file"), "missing", "Field required", null);
            problems.throwIfAny();
        }
        byte[] content;
        try (InputStream in = file.content()) {
            content = LimitedBody.read(in, maxRequestSize);
        } catch (LimitedBody.TooLargeException e) {
            throw HttpProblem.tooLarge(maxRequestSize);
        }
        java.util.Map<String, String> query = new java.util.LinkedHashMap<>();
        ctx.queryParamMap().forEach((name, values) -> query.put(name, values.isEmpty() ? "" : values.get(0)));
        // dstack checks the request's Content-Length against the upload limit; a chunked request has none, so its
        // file's own size counts (the request is at least that large).
        long size = Math.max(ctx.req().getContentLengthLong(), content.length);
        return new Upload(file.filename(), content, size, uploadLimit, query);
    }

    /** The body's fields, after FastAPI's checks of the body as a whole. */
    private Fields fields(Route route, JsonNode body) {
        Problems problems = new Problems();
        String name = route.path();
        if (route.body() == Route.Body.NONE || (route.body() == Route.Body.OPTIONAL && body == null)) {
            return new Fields(Fields.emptyObject(), List.of("body"), problems, unknown, name);
        }
        if (body == null) {
            problems.add(List.of("body"), "missing", "Field required", null);
            problems.throwIfAny();
        }
        if (!body.isObject()) {
            problems.add(List.of("body"), "model_attributes_type",
                    "Input should be a valid dictionary or object to extract fields from", body);
            problems.throwIfAny();
        }
        return new Fields(body, List.of("body"), problems, unknown, name);
    }

    /** The body as JSON, or null when there is none (or it is JSON {@code null}, which FastAPI treats alike). */
    private static JsonNode parseBody(byte[] bytes) {
        if (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        try {
            JsonNode node = DstackJson.mapper().readTree(bytes);
            return node == null || node.isNull() || node.isMissingNode() ? null : node;
        } catch (JsonProcessingException e) {
            // Syntax errors and Jackson's limits (nesting depth, number and string sizes) alike.
            Problems problems = new Problems();
            long offset = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getCharOffset());
            problems.add(List.of("body", (int) Math.min(offset, Integer.MAX_VALUE)), "json_invalid", "JSON decode error",
                    Fields.emptyObject(), Problems.ctx("error", e.getOriginalMessage()));
            problems.throwIfAny();
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("reading the request body failed", e);
        }
    }

    /** Reads at most the limit: past it (or when Content-Length says so), 413 and the connection closes. */
    private byte[] readLimited(Context ctx) {
        if (ctx.req().getContentLengthLong() > maxRequestSize) {
            throw HttpProblem.tooLarge(maxRequestSize);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            return LimitedBody.read(in, maxRequestSize);
        } catch (LimitedBody.TooLargeException e) {
            throw HttpProblem.tooLarge(maxRequestSize);
        } catch (IOException e) {
            throw HttpProblem.clientError("Cannot read the request body: " + e.getMessage(), null);
        }
    }

    private static void fail(Context ctx, HttpProblem problem) {
        reply(ctx, problem.status(), problem.body());
    }

    private static void reply(Context ctx, int status, Object body) {
        byte[] bytes;
        try {
            bytes = DstackJson.mapper().writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            LOG.error("Cannot write the reply of {} {} as JSON", ctx.method(), ctx.path(), e);
            status = 500;
            bytes = "{\"detail\":\"Internal Server Error\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        ctx.attribute(HANDLED, Boolean.TRUE);
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(bytes);
    }
}
