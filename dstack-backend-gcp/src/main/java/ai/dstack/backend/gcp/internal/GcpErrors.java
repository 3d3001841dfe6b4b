package ai.dstack.backend.gcp.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.cloud.compute.v1.Errors;
import com.google.cloud.compute.v1.Operation;
import java.util.Set;
import java.util.stream.Collectors;

/** Compute Engine's errors as typed {@link BackendException}s carrying GCE's code and words. */
final class GcpErrors {
    private static final Set<String> NO_CAPACITY = Set.of("ZONE_RESOURCE_POOL_EXHAUSTED",
            "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", "RESOURCE_POOL_EXHAUSTED", "STOCKOUT");
    private static final Set<String> QUOTA = Set.of("QUOTA_EXCEEDED", "QUOTA_LIMIT");

    private GcpErrors() {}

    /** A failed call. */
    static BackendException map(RuntimeException e, String doing) {
        if (e instanceof BackendException b) {
            return b;
        }
        if (isAuthFailure(e)) {
            return new BackendException(BackendFailure.INVALID_CREDENTIALS, "gcp: " + doing
                    + " failed: the credentials were refused: " + rootMessage(e), "UNAUTHENTICATED", rootMessage(e), e);
        }
        if (e instanceof ApiException api) {
            StatusCode.Code code = api.getStatusCode().getCode();
            BackendFailure failure = switch (code) {
                case NOT_FOUND -> BackendFailure.NOT_FOUND;
                case PERMISSION_DENIED -> BackendFailure.PERMISSION_DENIED;
                case UNAUTHENTICATED -> BackendFailure.INVALID_CREDENTIALS;
                case RESOURCE_EXHAUSTED -> BackendFailure.QUOTA_EXCEEDED;
                default -> BackendFailure.OTHER;
            };
            return new BackendException(failure, "gcp: " + doing + " failed: " + code + ": " + api.getMessage(),
                    code.name(), api.getMessage(), e);
        }
        return new BackendException(BackendFailure.OTHER, "gcp: " + doing + " failed: " + rootMessage(e), null,
                rootMessage(e), e);
    }

    static boolean isNotFound(RuntimeException e) {
        return e instanceof ApiException api && api.getStatusCode().getCode() == StatusCode.Code.NOT_FOUND;
    }

    /** A finished operation's error, typed by GCE's error code. */
    static BackendException fromOperation(Operation op, String doing) {
        String codes = op.getError().getErrorsList().stream().map(Errors::getCode).collect(Collectors.joining(","));
        String words = op.getError().getErrorsList().stream().map(Errors::getMessage)
                .collect(Collectors.joining("; "));
        String first = op.getError().getErrorsCount() == 0 ? "" : op.getError().getErrors(0).getCode();
        BackendFailure failure = NO_CAPACITY.contains(first) ? BackendFailure.NO_CAPACITY
                : QUOTA.contains(first) ? BackendFailure.QUOTA_EXCEEDED
                : "RESOURCE_NOT_FOUND".equals(first) ? BackendFailure.NOT_FOUND
                : "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE".equals(first) ? BackendFailure.OTHER
                : BackendFailure.OTHER;
        return new BackendException(failure, "gcp: " + doing + " failed: " + codes + ": " + words, first, words, null);
    }

    private static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String name = t.getClass().getName();
            String message = String.valueOf(t.getMessage());
            if (name.startsWith("com.google.auth.") || message.contains("invalid_grant")
                    || message.contains("Error getting access token") || message.contains("invalid_client")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
