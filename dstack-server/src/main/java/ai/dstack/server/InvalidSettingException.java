package ai.dstack.server;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;

/** A setting (an environment variable or config.yml) that stops the server from starting; the message is one line. */
public final class InvalidSettingException extends DstackException {
    public InvalidSettingException(String message) {
        super(ErrorCode.INVALID_REQUEST, message);
    }
}
