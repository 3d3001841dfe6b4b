package ai.dstack.api;

import java.io.Serial;
import java.util.Objects;

/**
 * The one exception type of dstack's Java API. It carries a machine-readable {@link ErrorCode} (dstack's error
 * codes on the wire) so that callers and the CLI branch on the code, never on the message.
 */
public class DstackException extends RuntimeException {
    @Serial private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public DstackException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code is null");
    }

    public DstackException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code is null");
    }

    public ErrorCode code() {
        return code;
    }
}
