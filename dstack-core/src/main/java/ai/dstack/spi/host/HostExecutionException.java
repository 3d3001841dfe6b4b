package ai.dstack.spi.host;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.Serial;

/** A job could not be started or controlled on a host. The message says what and where. */
public class HostExecutionException extends DstackException {
    @Serial private static final long serialVersionUID = 1L;

    public HostExecutionException(ErrorCode code, String message) {
        super(code, message);
    }

    public HostExecutionException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
