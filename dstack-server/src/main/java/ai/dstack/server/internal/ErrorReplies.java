package ai.dstack.server.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.core.app.InvalidArgument;
import ai.dstack.core.app.PermissionDenied;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever a call threw into dstack's reply: business errors are 400 with their code, service-level denials
 * 403 without a {@code detail} wrapper, and anything unexpected a logged 500 with a generic body.
 */
final class ErrorReplies {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReplies.class);

    private ErrorReplies() {}

    static HttpProblem of(Throwable error, String where) {
        if (error instanceof HttpProblem problem) {
            return problem;
        }
        if (error instanceof PermissionDenied denied) {
            return HttpProblem.denied(denied.getMessage());
        }
        if (error instanceof InvalidArgument invalid) {
            return HttpProblem.invalidArgument(invalid);
        }
        if (error instanceof DstackException e) {
            return dstack(e, where);
        }
        if (error instanceof HttpResponseException e) {
            return switch (e.getStatus()) {
                case 404 -> HttpProblem.routeNotFound();
                case 405 -> HttpProblem.methodNotAllowed();
                default -> {
                    LOG.warn("{}: HTTP {} from the web server: {}", where, e.getStatus(), e.getMessage());
                    yield e.getStatus() >= 500 ? HttpProblem.internal() : HttpProblem.clientError(e.getMessage(), null);
                }
            };
        }
        LOG.error("{} failed unexpectedly; answering 500", where, error);
        return HttpProblem.internal();
    }

    private static HttpProblem dstack(DstackException e, String where) {
        ErrorCode code = e.code();
        return switch (code) {
            case FORBIDDEN -> HttpProblem.forbidden(e.getMessage());
            case NOT_FOUND -> HttpProblem.projectNotFound();
            case INTERNAL -> {
                LOG.error("{} failed: {}", where, e.getMessage(), e);
                yield HttpProblem.internal();
            }
            // The engine's own validation, after the request itself parsed: dstack's ServerClientError.
            case INVALID_REQUEST -> HttpProblem.clientError(e.getMessage(), ErrorCode.ERROR.wireValue());
            default -> HttpProblem.clientError(e.getMessage(), code.wireValue());
        };
    }
}
