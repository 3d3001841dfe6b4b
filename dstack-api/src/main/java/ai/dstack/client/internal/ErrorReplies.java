package ai.dstack.client.internal;

import ai.dstack.api.ErrorCode;
import ai.dstack.api.json.DstackJson;
import ai.dstack.client.ApiErrorDetail;
import ai.dstack.client.DstackApiException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a dstack error reply into a {@link DstackApiException}. The shapes dstack sends:
 * <ul>
 *   <li>400 {@code {"detail":[{"msg","code"(,"fields")}]}} for business errors, {@code {"detail":"text"}} for a few;</li>
 *   <li>403 {@code {"detail":{"msg","code":null}}}, or {@code {"msg","code":null}} without the wrapper when a service
 *       refuses, or {@code {"detail":"Not authenticated"}} (also as 401) without a token;</li>
 *   <li>404 {@code {"detail":{"msg":"Not found"}}} for an unknown project, {@code {"detail":"Not Found"}} for an
 *       unknown route;</li>
 *   <li>422 FastAPI's {@code {"detail":[{"type","loc","msg","input"}]}};</li>
 *   <li>anything else, possibly not JSON at all (a proxy's HTML page).</li>
 * </ul>
 */
public final class ErrorReplies {
    private static final int EXCERPT = 300;

    private ErrorReplies() {}

    public static DstackApiException toException(int status, byte[] body, String endpoint, String serverUrl) {
        JsonNode json = parse(body);
        List<ApiErrorDetail> details = details(json, status == 422);
        String text = details.isEmpty() ? excerpt(body) : joined(details);
        switch (status) {
            case 400:
                return new DstackApiException(codeOf(details), details.isEmpty() ? "Bad request to " + endpoint + ": " + text : text,
                        status, endpoint, details);
            case 401:
            case 403:
                return new DstackApiException(ErrorCode.FORBIDDEN, (text.isEmpty() ? "Access denied" : text)
                        + ": the dstack server at " + serverUrl + " refused " + endpoint + " (HTTP " + status
                        + "). Check the token (~/.dstack/config.yml or DSTACK_TOKEN) and the project membership.",
                        status, endpoint, details);
            case 404:
                return new DstackApiException(ErrorCode.NOT_FOUND, notFound(json, endpoint, serverUrl), status, endpoint, details);
            case 422:
                return new DstackApiException(ErrorCode.INVALID_REQUEST, "The dstack server at " + serverUrl
                        + " rejected the request to " + endpoint + " as invalid: " + text, status, endpoint, details);
            default:
                if (status >= 500) {
                    return new DstackApiException(ErrorCode.INTERNAL, "The dstack server at " + serverUrl + " failed on "
                            + endpoint + " with HTTP " + status + (text.isEmpty() ? "" : ": " + text)
                            + ". Check the server logs.", status, endpoint, details);
                }
                return new DstackApiException(ErrorCode.ERROR, "Unexpected HTTP " + status + " from the dstack server at "
                        + serverUrl + " on " + endpoint + (text.isEmpty() ? "" : ": " + text), status, endpoint, details);
        }
    }

    private static String notFound(JsonNode json, String endpoint, String serverUrl) {
        JsonNode detail = json == null ? null : json.get("detail");
        if (detail != null && detail.isTextual()) {
            // FastAPI's own 404: the route does not exist on this server.
            return "The server at " + serverUrl + " has no endpoint " + endpoint
                    + ": is it a dstack server, and is its version compatible with this client?";
        }
        return "Not found: " + endpoint + " on the dstack server at " + serverUrl
                + " (the project does not exist, or it was deleted)";
    }

    /** The code of the entries when they agree on one, else {@link ErrorCode#ERROR}; a field error without a code is invalid input. */
    private static ErrorCode codeOf(List<ApiErrorDetail> details) {
        List<ErrorCode> codes = details.stream().map(d -> ErrorCode.fromWireValue(d.code())).distinct().toList();
        if (codes.size() != 1) {
            return ErrorCode.ERROR;
        }
        ErrorCode code = codes.get(0);
        boolean fields = details.stream().anyMatch(d -> !d.fields().isEmpty());
        return code == ErrorCode.ERROR && fields ? ErrorCode.INVALID_REQUEST : code;
    }

    private static List<ApiErrorDetail> details(JsonNode json, boolean validation) {
        if (json == null) {
            return List.of();
        }
        JsonNode detail = json.has("detail") ? json.get("detail") : json;
        List<ApiErrorDetail> out = new ArrayList<>();
        if (detail.isTextual()) {
            out.add(new ApiErrorDetail(detail.asText(), null, List.of()));
        } else if (detail.isObject()) {
            addEntry(out, detail, validation);
        } else if (detail.isArray()) {
            for (JsonNode entry : detail) {
                if (entry.isObject()) {
                    addEntry(out, entry, validation);
                } else if (entry.isTextual()) {
                    out.add(new ApiErrorDetail(entry.asText(), null, List.of()));
                }
            }
        }
        return out;
    }

    private static void addEntry(List<ApiErrorDetail> out, JsonNode entry, boolean validation) {
        JsonNode msg = entry.get("msg");
        if (msg == null || !msg.isTextual()) {
            return;
        }
        if (validation) {
            // FastAPI puts where the value came from first: "body", "query", ...
            List<String> loc = strings(entry.get("loc"));
            if (!loc.isEmpty() && loc.get(0).equals("body")) {
                loc = loc.subList(1, loc.size());
            }
            out.add(new ApiErrorDetail(msg.asText(), text(entry.get("type")), loc));
        } else {
            out.add(new ApiErrorDetail(msg.asText(), text(entry.get("code")), strings(entry.get("fields"))));
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(item -> out.add(item.asText()));
        }
        return out;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String joined(List<ApiErrorDetail> details) {
        return details.stream().map(ApiErrorDetail::toString).distinct().collect(Collectors.joining("; "));
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode node = DstackJson.mapper().readTree(body);
            return node != null && (node.isObject() || node.isArray()) ? node : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
        return text.length() <= EXCERPT ? text : text.substring(0, EXCERPT) + "...";
    }
}
