package ai.dstack.api;

/** dstack's error codes, as they appear in the {@code detail[].code} of an error reply. */
public enum ErrorCode {
    /** A request or configuration that does not validate. */
    INVALID_REQUEST("invalid_request"),
    RESOURCE_EXISTS("resource_exists"),
    RESOURCE_NOT_EXISTS("resource_not_exists"),
    SERVER_CLIENT_ERROR("server_client_error"),
    FORBIDDEN("forbidden"),
    UNAUTHORIZED("unauthorized"),
    /** Anything that is a bug or a failure of the server itself. */
    ERROR("error");

    private final String wireValue;

    ErrorCode(String wireValue) {
        this.wireValue = wireValue;
    }

    public String wireValue() {
        return wireValue;
    }
}
