package ai.dstack.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.Serial;
import java.util.List;

/**
 * A dstack server answered a call with an error. {@link #code()} is dstack's code for a 400 (e.g.
 * {@link ErrorCode#RESOURCE_NOT_EXISTS}), {@link ErrorCode#FORBIDDEN} for 401/403, {@link ErrorCode#NOT_FOUND} for
 * 404, {@link ErrorCode#INVALID_REQUEST} for 422 and {@link ErrorCode#INTERNAL} for 5xx. For a 400 the message is
 * the server's own text, as dstack's CLI prints it.
 */
public class DstackApiException extends DstackException {
    @Serial private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private final String endpoint;
    private final transient List<ApiErrorDetail> details;

    public DstackApiException(ErrorCode code, String message, int httpStatus, String endpoint, List<ApiErrorDetail> details) {
        super(code, message);
        this.httpStatus = httpStatus;
        this.endpoint = endpoint;
        this.details = List.copyOf(details);
    }

    /** The HTTP status of the reply. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The path that was called, e.g. {@code /api/project/main/runs/get}. */
    public String endpoint() {
        return endpoint;
    }

    /** Every entry of the reply's {@code detail}, in order; empty when the reply had none that could be read. */
    public List<ApiErrorDetail> details() {
        return details == null ? List.of() : details;
    }
}
