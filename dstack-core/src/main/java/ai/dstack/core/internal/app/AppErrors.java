package ai.dstack.core.internal.app;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.core.app.InvalidArgument;
import ai.dstack.core.app.PermissionDenied;
import ai.dstack.core.internal.operations.AccessDenied;

/**
 * Gives an engine error the code a dstack server sends for it, so that every adapter answers alike: the engine's
 * own validation errors are dstack's generic {@code ServerClientError} ({@link ErrorCode#ERROR}), denials raised deep
 * in a service are {@link PermissionDenied}, and failures that are not {@link DstackException}s are
 * {@link ErrorCode#INTERNAL} with the cause kept.
 */
final class AppErrors {
    private AppErrors() {}

    static RuntimeException translate(RuntimeException error) {
        if (error instanceof AccessDenied) {
            return PermissionDenied.accessDenied();
        }
        if (error instanceof PermissionDenied || error instanceof InvalidArgument) {
            return error;
        }
        if (error instanceof DstackException e) {
            return e.code() == ErrorCode.INVALID_REQUEST ? new DstackException(ErrorCode.ERROR, e.getMessage(), e) : e;
        }
        return new DstackException(ErrorCode.INTERNAL, "The dstack engine failed: " + error, error);
    }
}
