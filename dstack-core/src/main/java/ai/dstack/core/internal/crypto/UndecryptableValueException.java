package ai.dstack.core.internal.crypto;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;

/** No configured key decrypts a stored value: dstack's "All keys failed to decrypt ciphertext". */
public final class UndecryptableValueException extends DstackException {
    public UndecryptableValueException(String message) {
        super(ErrorCode.ERROR, message);
    }
}
