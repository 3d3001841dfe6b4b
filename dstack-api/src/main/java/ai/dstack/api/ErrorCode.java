package ai.dstack.api;

/**
 * What went wrong, as a category callers branch on. The first group are dstack's {@code ServerClientErrorCode}s and
 * travel as {@code detail[].code} in a 400 reply; the rest map to other HTTP statuses and carry no code on the wire.
 */
public enum ErrorCode {
    /** A business error without a more precise code (dstack's {@code ServerClientError}). */
    ERROR("error"),
    RESOURCE_EXISTS("resource_exists"),
    RESOURCE_NOT_EXISTS("resource_not_exists"),
    INVALID_CREDENTIALS("invalid_credentials"),
    BACKEND_NOT_AVAILABLE("backend_not_available"),
    REPO_DOES_NOT_EXIST("repo_does_not_exist"),
    GATEWAY_ERROR("gateway_error"),
    /** A request or configuration that does not validate (422, or 400 with the fields named). */
    INVALID_REQUEST(null),
    /** A missing or wrong token, or a role that does not allow the call (403). */
    FORBIDDEN(null),
    /** A project or route that does not exist (404). */
    NOT_FOUND(null),
    /** A failure of the server itself or of something it depends on (a database, the disk): a 5xx. */
    INTERNAL(null);

    private final String wireValue;

    ErrorCode(String wireValue) {
        this.wireValue = wireValue;
    }

    /** The {@code code} dstack sends for this error, or null when it sends none. */
    public String wireValue() {
        return wireValue;
    }

    /** The code for a {@code code} from a reply; {@link #ERROR} for an unknown or missing one. */
    public static ErrorCode fromWireValue(String value) {
        for (ErrorCode code : values()) {
            if (code.wireValue != null && code.wireValue.equals(value)) {
                return code;
            }
        }
        return ERROR;
    }
}
