package ai.dstack.core.internal.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.core.internal.operations.AccessDenied;

/**
 * Gives an engine error the code a remote client would see for the same call, so that callers branch alike in both
 * modes. The REST server sends the engine's own validation errors as dstack's generic {@code ServerClientError}
 * (code {@code error}); everything else keeps its code. Failures that are not {@link DstackException}s are a 500
 * over HTTP: {@link ErrorCode#INTERNAL} here, with the cause kept (no server log to look it up in). The caller's own
 * mistakes (null arguments, a closed client) are checked before the engine is called and are not translated.
 */
public final class RemoteErrors {
    private RemoteErrors() {}

    public static RuntimeException translate(RuntimeException error) {
        if (error instanceof AccessDenied) {
            return new DstackException(ErrorCode.FORBIDDEN, "Access denied", error);
        }
        if (error instanceof DstackException e) {
            return e.code() == ErrorCode.INVALID_REQUEST ? new DstackException(ErrorCode.ERROR, e.getMessage(), e) : e;
        }
        return new DstackException(ErrorCode.INTERNAL, "The embedded dstack engine failed: " + error, error);
    }
}
