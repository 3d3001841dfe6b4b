package ai.dstack.client;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.io.Serial;

/**
 * A dstack server could not be reached, dropped the connection, or did not answer in time; code
 * {@link ErrorCode#ERROR}. When {@link #requestSent()} is true and the call changes something, the server may or may
 * not have applied it: look before repeating it.
 */
public class DstackConnectionException extends DstackException {
    @Serial private static final long serialVersionUID = 1L;

    private final String serverUrl;
    private final int attempts;
    private final boolean requestSent;
    private final boolean timedOut;

    public DstackConnectionException(String message, String serverUrl, int attempts, boolean requestSent,
            boolean timedOut, Throwable cause) {
        super(ErrorCode.ERROR, message, cause);
        this.serverUrl = serverUrl;
        this.attempts = attempts;
        this.requestSent = requestSent;
        this.timedOut = timedOut;
    }

    /** The server's base URL. */
    public String serverUrl() {
        return serverUrl;
    }

    /** How many times the call was tried. */
    public int attempts() {
        return attempts;
    }

    /** Whether the last attempt got as far as sending the request. */
    public boolean requestSent() {
        return requestSent;
    }

    /** Whether the last attempt ran out of time (a connect, read or call timeout). */
    public boolean timedOut() {
        return timedOut;
    }
}
