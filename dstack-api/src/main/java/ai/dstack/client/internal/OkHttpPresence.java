package ai.dstack.client.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;

/**
 * OkHttp is an optional dependency of dstack-api (an embedded engine never talks HTTP), so the remote client checks
 * for it before touching any of its classes and says which dependency to add, instead of a
 * {@link NoClassDefFoundError} from deep inside a call.
 */
public final class OkHttpPresence {
    static final String CLASS = "okhttp3.OkHttpClient";
    public static final String MISSING = "The remote dstack client needs OkHttp, which is not on the class path: depend on"
            + " ai.dstack:dstack-client (it brings com.squareup.okhttp3:okhttp-jvm), or add okhttp-jvm yourself";

    private OkHttpPresence() {}

    /** @throws DstackException with {@link ErrorCode#INVALID_REQUEST} and {@link #MISSING} when OkHttp is absent */
    public static void require() {
        try {
            Class.forName(CLASS, false, OkHttpPresence.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, MISSING);
        }
    }
}
