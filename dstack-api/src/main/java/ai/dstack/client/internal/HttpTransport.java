package ai.dstack.client.internal;

import ai.dstack.client.DstackConnectionException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs to a dstack server as dstack's own client does ({@code Authorization: Bearer}, {@code X-API-VERSION}, JSON
 * bodies or none), retries connection failures, and maps error replies. Safe for concurrent use.
 *
 * <p>Retries (dstack's client: 3 tries, 1 s apart) happen only where repeating cannot apply a change twice:
 * <ul>
 *   <li>the request never left (refused connection, unknown host, connect timeout): any call;</li>
 *   <li>the request went out on a pooled connection the server had already closed, and no reply came: any call,
 *       the same judgement OkHttp and browsers make for idle keep-alive connections;</li>
 *   <li>the connection broke after the request was sent: only calls that just read.</li>
 * </ul>
 * Read and call timeouts are never retried: the server is slow, and retrying would multiply the wait. OkHttp's
 * own silent retries are switched off so that these rules are the only ones.
 */
public final class HttpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);
    private static final MediaType JSON = MediaType.get("application/json");
    // dstack's client sends body-less calls with no body and no Content-Type; OkHttp needs an empty body for a POST.
    private static final RequestBody NO_BODY = RequestBody.create(new byte[0], null);

    private final HttpUrl baseUrl;
    private final String authorization;
    private final String apiVersion;
    private final OkHttpClient http;
    private final boolean ownsHttp;
    private final int maxAttempts;
    private final Duration retryInterval;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param http a client with the caller's timeouts; this adds its tracker and turns OkHttp's own retries off
     * @param ownsHttp whether {@link #close()} may release the client's pool and threads (false when shared)
     */
    public HttpTransport(HttpUrl baseUrl, String token, String apiVersion, OkHttpClient http, boolean ownsHttp,
            int maxAttempts, Duration retryInterval) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl is null");
        this.authorization = token == null ? null : "Bearer " + token;
        this.apiVersion = Objects.requireNonNull(apiVersion, "apiVersion is null");
        this.http = http.newBuilder()
                .retryOnConnectionFailure(false)
                .addNetworkInterceptor(new AttemptTrace.Tracker())
                .build();
        this.ownsHttp = ownsHttp;
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.retryInterval = Objects.requireNonNull(retryInterval, "retryInterval is null");
    }

    public HttpUrl baseUrl() {
        return baseUrl;
    }

    /** The server URL as users wrote it, without a trailing slash, for messages. */
    public String serverUrl() {
        String url = baseUrl.toString();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * POSTs {@code jsonBody} (or no body when null) and returns the reply body of a 2xx.
     *
     * @throws ai.dstack.client.DstackApiException for an error reply
     * @throws DstackConnectionException when no reply came
     */
    public byte[] post(Endpoint endpoint, byte[] jsonBody) {
        RequestBody body = jsonBody == null ? NO_BODY : RequestBody.create(jsonBody, JSON);
        return send(endpoint, endpoint.url(baseUrl), body);
    }

    /** GETs {@code endpoint} with query parameters (dstack's metrics route is a GET). */
    public byte[] get(Endpoint endpoint, java.util.Map<String, String> query) {
        HttpUrl.Builder url = endpoint.url(baseUrl).newBuilder();
        query.forEach(url::addQueryParameter);
        return send(endpoint, url.build(), null);
    }

    /**
     * POSTs a {@code multipart/form-data} body with one {@code file} field, as dstack's upload routes take it.
     *
     * @param query query parameters (e.g. {@code repo_id}); may be empty
     */
    public byte[] postFile(Endpoint endpoint, java.util.Map<String, String> query, String filename, byte[] content) {
        HttpUrl.Builder url = endpoint.url(baseUrl).newBuilder();
        query.forEach(url::addQueryParameter);
        RequestBody body = new okhttp3.MultipartBody.Builder().setType(okhttp3.MultipartBody.FORM)
                .addFormDataPart("file", filename, RequestBody.create(content, MediaType.get("application/octet-stream")))
                .build();
        return send(endpoint, url.build(), body);
    }

    private byte[] send(Endpoint endpoint, HttpUrl url, RequestBody body) {
        if (closed.get()) {
            throw new IllegalStateException("The dstack client for " + serverUrl() + " is closed");
        }
        for (int attempt = 1; ; attempt++) {
            AttemptTrace trace = new AttemptTrace();
            long started = System.nanoTime();
            try (Response response = http.newCall(request(url, body, trace)).execute()) {
                byte[] reply = response.body().bytes();
                LOG.debug("POST {} -> {} in {} ms", endpoint.path(), response.code(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                if (response.isSuccessful()) {
                    return reply;
                }
                throw ErrorReplies.toException(response.code(), reply, endpoint.path(), serverUrl());
            } catch (IOException e) {
                if (attempt >= maxAttempts || !retryable(e, trace, endpoint.idempotent())) {
                    throw failure(e, trace, endpoint, attempt);
                }
                LOG.debug("POST {} failed ({}); retrying in {} ms", endpoint.path(), e.toString(), retryInterval.toMillis());
                pause(e, trace, endpoint, attempt);
            }
        }
    }

    private Request request(HttpUrl url, RequestBody body, AttemptTrace trace) {
        Request.Builder request = new Request.Builder()
                .url(url)
                .method(body == null ? "GET" : "POST", body)
                .header("X-API-VERSION", apiVersion)
                .tag(AttemptTrace.class, trace);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    static boolean retryable(IOException e, AttemptTrace trace, boolean idempotent) {
        if (e instanceof ProtocolException || e instanceof SSLPeerUnverifiedException
                || e instanceof SSLHandshakeException && e.getCause() instanceof CertificateException) {
            return false; // the server speaks something else or is not trusted: trying again changes nothing
        }
        if (e instanceof InterruptedIOException) {
            return e instanceof SocketTimeoutException && !trace.requestSent(); // only a connect timeout
        }
        if (!trace.requestSent()) {
            return true;
        }
        if (trace.reusedConnection() && !trace.responseReceived()) {
            return true;
        }
        return idempotent;
    }

    private void pause(IOException cause, AttemptTrace trace, Endpoint endpoint, int attempts) {
        try {
            Thread.sleep(retryInterval.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            DstackConnectionException failure = failure(cause, trace, endpoint, attempts);
            failure.addSuppressed(interrupted);
            throw failure;
        }
    }

    private DstackConnectionException failure(IOException e, AttemptTrace trace, Endpoint endpoint, int attempts) {
        String tries = attempts > 1 ? " (tried " + attempts + " times)" : "";
        boolean timedOut = e instanceof InterruptedIOException;
        String message;
        if (!trace.requestSent()) {
            message = "Cannot connect to the dstack server at " + serverUrl() + tries + ": " + describe(e);
        } else if (timedOut) {
            message = "The dstack server at " + serverUrl() + " did not answer POST " + endpoint.path() + " in time ("
                    + timeoutName(e) + ")" + tries;
        } else {
            message = "The connection to the dstack server at " + serverUrl() + " broke during POST " + endpoint.path()
                    + tries + ": " + describe(e)
                    + (endpoint.idempotent() ? "" : ". The server may have applied the request: check before repeating it.");
        }
        return new DstackConnectionException(message, serverUrl(), attempts, trace.requestSent(), timedOut, e);
    }

    private String timeoutName(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "read timeout " + Duration.ofMillis(http.readTimeoutMillis()).toString().substring(2).toLowerCase();
        }
        if (http.callTimeoutMillis() > 0) {
            return "call timeout " + Duration.ofMillis(http.callTimeoutMillis()).toString().substring(2).toLowerCase();
        }
        return describe(e);
    }

    private static String describe(Throwable e) {
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !text.contains(cause.getMessage())) {
            text += " (" + cause.getMessage() + ")";
        }
        return text;
    }

    /** Releases the connection pool and threads, unless the OkHttp client was lent by the caller. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && ownsHttp) {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }
}
