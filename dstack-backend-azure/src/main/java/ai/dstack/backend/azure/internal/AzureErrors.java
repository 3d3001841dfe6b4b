package ai.dstack.backend.azure.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.management.exception.ManagementException;
import java.util.Locale;
import java.util.Set;

/** ARM's and Azure AD's errors as typed {@link BackendException}s carrying Azure's code and words. */
final class AzureErrors {
    private static final Set<String> NO_CAPACITY = Set.of("AllocationFailed", "OverconstrainedAllocationRequest",
            "ZonalAllocationFailed", "OverconstrainedZonalAllocationRequest", "SkuNotAvailable",
            "SpotMaxPriceIsLowerThanCurrentPrice");
    private static final Set<String> NOT_FOUND = Set.of("ResourceNotFound", "NotFound", "ResourceGroupNotFound",
            "SubscriptionNotFound");
    private static final Set<String> BAD_TOKEN = Set.of("InvalidAuthenticationToken", "ExpiredAuthenticationToken",
            "InvalidAuthenticationTokenTenant", "AuthenticationFailed");

    private AzureErrors() {}

    static BackendException map(RuntimeException e, String doing) {
        if (e instanceof BackendException b) {
            return b;
        }
        Throwable auth = authFailure(e);
        if (auth != null && !(e instanceof ManagementException)) {
            String words = rootMessage(auth);
            return new BackendException(BackendFailure.INVALID_CREDENTIALS, "azure: " + doing
                    + " failed: the credentials were refused: " + words, "AuthenticationFailed", words, e);
        }
        if (e instanceof ManagementException m && m.getValue() != null) {
            String code = m.getValue().getCode() == null ? "" : m.getValue().getCode();
            String words = m.getValue().getMessage();
            int status = m.getResponse() == null ? 0 : m.getResponse().getStatusCode();
            BackendFailure failure = NO_CAPACITY.contains(code) ? BackendFailure.NO_CAPACITY
                    : isQuota(code, words) ? BackendFailure.QUOTA_EXCEEDED
                    : NOT_FOUND.contains(code) || status == 404 ? BackendFailure.NOT_FOUND
                    : BAD_TOKEN.contains(code) || status == 401 ? BackendFailure.INVALID_CREDENTIALS
                    : "AuthorizationFailed".equals(code) || status == 403 ? BackendFailure.PERMISSION_DENIED
                    : BackendFailure.OTHER;
            return new BackendException(failure, "azure: " + doing + " failed: " + code + ": " + words, code, words,
                    e);
        }
        return new BackendException(BackendFailure.OTHER, "azure: " + doing + " failed: " + rootMessage(e), null,
                rootMessage(e), e);
    }

    static boolean isNotFound(RuntimeException e) {
        return e instanceof ManagementException m && m.getResponse() != null && m.getResponse().getStatusCode() == 404;
    }

    /** Quota errors come as {@code QuotaExceeded} or as {@code OperationNotAllowed} whose words name a quota. */
    private static boolean isQuota(String code, String words) {
        return "QuotaExceeded".equals(code) || ("OperationNotAllowed".equals(code) && words != null
                && words.toLowerCase(Locale.ROOT).contains("quota"));
    }

    /** Azure AD refused the credential: azure-identity's exception, or MSAL's underneath it. */
    private static Throwable authFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ClientAuthenticationException
                    || t.getClass().getName().startsWith("com.azure.identity.")
                    || t.getClass().getName().startsWith("com.microsoft.aad.msal4j.")
                    || String.valueOf(t.getMessage()).contains("AADSTS")) {
                return t;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
