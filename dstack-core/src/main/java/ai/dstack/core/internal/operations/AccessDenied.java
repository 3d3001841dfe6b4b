package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.Serial;

/**
 * dstack's {@code error_forbidden()}: a 403 whose body wraps the message in {@code detail}. Operations raise it where
 * dstack does (another user's token); a plain {@link ErrorCode#FORBIDDEN} {@link DstackException} is dstack's
 * service-level {@code ForbiddenError}, whose 403 body has no {@code detail} wrapper.
 */
public final class AccessDenied extends DstackException {
    @Serial private static final long serialVersionUID = 1L;

    public AccessDenied() {
        super(ErrorCode.FORBIDDEN, "Access denied");
    }
}
