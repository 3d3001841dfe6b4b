package ai.dstack.spi.backend;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.util.Objects;

/**
 * A failure reported by a cloud, typed by {@link BackendFailure}. The message says what was being done and ends with
 * the cloud's own words; {@link #cloudCode()} and {@link #cloudMessage()} keep them apart for callers that list
 * attempts.
 */
public class BackendException extends DstackException {
    private static final long serialVersionUID = 1L;

    private final BackendFailure failure;
    private final String cloudCode;
    private final String cloudMessage;

    /**
     * @param cloudCode the cloud's error code, e.g. {@code InsufficientInstanceCapacity}; null when there is none
     * @param cloudMessage the cloud's own message; null when there is none
     */
    public BackendException(BackendFailure failure, String message, String cloudCode, String cloudMessage,
            Throwable cause) {
        super(errorCode(failure), message, cause);
        this.failure = Objects.requireNonNull(failure, "failure is null");
        this.cloudCode = cloudCode;
        this.cloudMessage = cloudMessage;
    }

    public BackendException(BackendFailure failure, String message) {
        this(failure, message, null, null, null);
    }

    public BackendFailure failure() {
        return failure;
    }

    public String cloudCode() {
        return cloudCode;
    }

    public String cloudMessage() {
        return cloudMessage;
    }

    private static ErrorCode errorCode(BackendFailure failure) {
        return switch (Objects.requireNonNull(failure, "failure is null")) {
            case INVALID_CREDENTIALS -> ErrorCode.INVALID_CREDENTIALS;
            case INVALID_CONFIGURATION -> ErrorCode.INVALID_REQUEST;
            case NOT_FOUND -> ErrorCode.RESOURCE_NOT_EXISTS;
            default -> ErrorCode.ERROR;
        };
    }
}
