package ai.dstack.client.internal;

import java.io.IOException;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * How far one HTTP attempt got, so that a failure can be judged: a request that never left cannot have been
 * applied, while one that was sent may have been. Filled in by {@link Tracker}, a network interceptor, which OkHttp
 * calls only once it holds a connection and is about to write the request.
 */
final class AttemptTrace {
    private volatile boolean requestSent;
    private volatile boolean reusedConnection;
    private volatile boolean responseReceived;

    /** Whether the request was (at least partly) written to a connection. */
    boolean requestSent() {
        return requestSent;
    }

    /** Whether that connection had served an earlier exchange (it came from the pool). */
    boolean reusedConnection() {
        return reusedConnection;
    }

    /** Whether the response headers arrived. */
    boolean responseReceived() {
        return responseReceived;
    }

    /** Records each attempt in the {@link AttemptTrace} tagged on its request. Safe for concurrent use. */
    static final class Tracker implements Interceptor {
        // Weak keys: the pool owns connections; this only remembers which ones have been used before.
        private final Set<Connection> used = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

        @Override
        public Response intercept(Chain chain) throws IOException {
            AttemptTrace trace = chain.request().tag(AttemptTrace.class);
            if (trace == null) {
                return chain.proceed(chain.request());
            }
            Connection connection = chain.connection();
            trace.reusedConnection = connection != null && !used.add(connection);
            trace.requestSent = true;
            Response response = chain.proceed(chain.request());
            trace.responseReceived = true;
            return response;
        }
    }
}
