package ai.dstack.core.app;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.Serial;

/**
 * dstack's {@code error_forbidden()} and its token check: a {@link ErrorCode#FORBIDDEN} whose HTTP body wraps the
 * message in {@code detail} ("Access denied", "Invalid token"). A plain FORBIDDEN {@link DstackException} is dstack's
 * service-level {@code ForbiddenError}, whose 403 body has no {@code detail} wrapper.
 */
public final class PermissionDenied extends DstackException {
    @Serial private static final long serialVersionUID = 1L;

    public static final String ACCESS_DENIED = "Access denied";
    public static final String INVALID_TOKEN = "Invalid token";

    public PermissionDenied(String message) {
        super(ErrorCode.FORBIDDEN, message);
    }

    public static PermissionDenied accessDenied() {
        return new PermissionDenied(ACCESS_DENIED);
    }
}
