package ai.dstack.core.internal.runs;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.Serial;

/** A {@code ${{ ... }}} reference that cannot be resolved; the message is dstack's and never holds a value. */
public final class InterpolationException extends DstackException {
    @Serial private static final long serialVersionUID = 1L;

    public InterpolationException(String message) {
        super(ErrorCode.ERROR, message);
    }
}
