package ai.dstack.backend.aws.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/** Maps EC2's error codes to {@link BackendFailure}s, keeping the cloud's words. */
final class AwsErrors {
    private static final Set<String> NO_CAPACITY = Set.of("InsufficientInstanceCapacity", "InsufficientCapacity",
            "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity", "InsufficientCapacityOnHost",
            "Unsupported", "SpotMaxPriceTooLow", "InsufficientFreeAddressesInSubnet");
    private static final Set<String> QUOTA = Set.of("VcpuLimitExceeded", "InstanceLimitExceeded",
            "MaxSpotInstanceCountExceeded", "VolumeLimitExceeded", "SecurityGroupLimitExceeded",
            "PlacementGroupLimitExceeded", "ResourceLimitExceeded", "AddressLimitExceeded");
    private static final Set<String> PERMISSION = Set.of("UnauthorizedOperation", "AccessDenied",
            "AccessDeniedException", "OptInRequired", "Blocked");
    private static final Set<String> CREDENTIALS = Set.of("AuthFailure", "InvalidClientTokenId",
            "SignatureDoesNotMatch", "UnrecognizedClientException", "ExpiredToken", "InvalidAccessKeyId",
            "AuthFailure.ServiceLinkedRoleCreationNotPermitted");

    private AwsErrors() {}

    /** The EC2 error code of a failure, or null when the call did not reach EC2. */
    static String code(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            return service.awsErrorDetails().errorCode();
        }
        return null;
    }

    /**
     * @param doing what was being done, e.g. "RunInstances g5.xlarge in us-east-1a"
     */
    static BackendException map(SdkException e, String doing) {
        String code = code(e);
        if (code == null && e instanceof AwsServiceException service && service.statusCode() == 401) {
            // EC2 answers AuthFailure with 401, and the JDK's HTTP client drops the body of a 401 to a streamed POST
            String words = "the request was not authorized (HTTP 401): the access key is unknown or the secret is wrong";
            return new BackendException(BackendFailure.INVALID_CREDENTIALS, "aws: " + doing + ": " + words,
                    "AuthFailure", words, e);
        }
        if (code == null) {
            String words = e.getMessage();
            BackendFailure failure = e instanceof SdkClientException && words != null
                    && words.contains("Unable to load credentials") ? BackendFailure.INVALID_CREDENTIALS
                    : BackendFailure.OTHER;
            return new BackendException(failure, "aws: " + doing + " failed: " + words, null, words, e);
        }
        String words = ((AwsServiceException) e).awsErrorDetails().errorMessage();
        BackendFailure failure = failure(code);
        String what = switch (failure) {
            case NO_CAPACITY -> "no capacity";
            case QUOTA_EXCEEDED -> "quota exceeded";
            case PERMISSION_DENIED -> "permission denied";
            case INVALID_CREDENTIALS -> "invalid credentials";
            case NOT_FOUND -> "not found";
            default -> "failed";
        };
        return new BackendException(failure, "aws: " + doing + ": " + what + " (" + code + ": " + words + ")", code,
                words, e);
    }

    static BackendFailure failure(String code) {
        if (NO_CAPACITY.contains(code)) {
            return BackendFailure.NO_CAPACITY;
        }
        if (QUOTA.contains(code)) {
            return BackendFailure.QUOTA_EXCEEDED;
        }
        if (PERMISSION.contains(code)) {
            return BackendFailure.PERMISSION_DENIED;
        }
        if (CREDENTIALS.contains(code)) {
            return BackendFailure.INVALID_CREDENTIALS;
        }
        if (code.endsWith("NotFound") || code.endsWith(".Unknown") || code.startsWith("InvalidAMIID")) {
            return BackendFailure.NOT_FOUND;
        }
        return BackendFailure.OTHER;
    }
}
