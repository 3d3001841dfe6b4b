package ai.dstack.server.internal;

import ai.dstack.api.json.DstackJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serial;
import java.util.List;

/**
 * A reply other than 200, with dstack's exact body: FastAPI's {@code {"detail": ...}} shapes for denials,
 * unknown routes and validation, and dstack's {@code ServerClientError} list for business errors.
 */
public final class HttpProblem extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final int status;
    private final transient JsonNode body;

    private HttpProblem(int status, JsonNode body, String message) {
        super(message, null, false, false);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public JsonNode body() {
        return body;
    }

    /** FastAPI's HTTPBearer without a usable {@code Authorization} header. */
    static HttpProblem notAuthenticated() {
        return detailText(403, "Not authenticated");
    }

    /** FastAPI's HTTPBearer with a scheme other than {@code Bearer}. */
    static HttpProblem invalidCredentials() {
        return detailText(403, "Invalid authentication credentials");
    }

    /** dstack's {@code error_forbidden()}: a permission dependency refused the caller. */
    static HttpProblem accessDenied() {
        return denied(ai.dstack.core.app.PermissionDenied.ACCESS_DENIED);
    }

    /** A permission dependency or the token check refused the caller: 403 with the message in {@code detail}. */
    static HttpProblem denied(String message) {
        return detailObject(403, message);
    }

    /** An argument the application layer refused by name: FastAPI's 422 for that body field. */
    static HttpProblem invalidArgument(ai.dstack.core.app.InvalidArgument invalid) {
        ObjectNode error = NODES.objectNode();
        error.put("type", "value_error");
        ArrayNode loc = error.putArray("loc");
        loc.add("body");
        invalid.field().forEach(loc::add);
        error.put("msg", invalid.problem());
        error.putNull("input");
        return validation(List.of(error));
    }

    /** dstack's {@code ForbiddenError} from a service: the body has no {@code detail} wrapper. */
    static HttpProblem forbidden(String message) {
        return new HttpProblem(403, message(message, null), message);
    }

    /** The project in the path does not exist. */
    static HttpProblem projectNotFound() {
        return detailObject(404, "Not found");
    }

    static HttpProblem routeNotFound() {
        return detailText(404, "Not Found");
    }

    static HttpProblem methodNotAllowed() {
        return detailText(405, "Method Not Allowed");
    }

    static HttpProblem tooLarge(long limit) {
        return detailText(413, "Request body is larger than the limit of " + limit + " bytes");
    }

    /** dstack's {@code ServerClientError}: 400 with a one-entry {@code detail} list. */
    static HttpProblem clientError(String message, String code) {
        ObjectNode body = NODES.objectNode();
        body.putArray("detail").add(message(message, code));
        return new HttpProblem(400, body, message);
    }

    /** FastAPI's request validation error: 422 with pydantic's error entries. */
    static HttpProblem validation(List<ObjectNode> errors) {
        ObjectNode body = NODES.objectNode();
        ArrayNode detail = body.putArray("detail");
        errors.forEach(detail::add);
        return new HttpProblem(422, body, errors.isEmpty() ? "validation" : errors.get(0).path("msg").asText());
    }

    /** A server fault: a generic body, never the cause. */
    static HttpProblem internal() {
        return detailText(500, "Internal Server Error");
    }

    private static HttpProblem detailText(int status, String text) {
        ObjectNode body = NODES.objectNode();
        body.put("detail", text);
        return new HttpProblem(status, body, text);
    }

    private static HttpProblem detailObject(int status, String text) {
        ObjectNode body = NODES.objectNode();
        body.set("detail", message(text, null));
        return new HttpProblem(status, body, text);
    }

    private static ObjectNode message(String text, String code) {
        ObjectNode message = NODES.objectNode();
        message.put("msg", text);
        if (code == null) {
            message.putNull("code");
        } else {
            message.put("code", code);
        }
        return message;
    }

    @Override
    public String toString() {
        return "HttpProblem[" + status + " " + DstackJson.mapper().valueToTree(body) + "]";
    }
}
