package ai.dstack.backend.azure.testing;

import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A fake Azure for tests: Azure Resource Manager's REST API (JSON resources with {@code provisioningState},
 * long-running operations announced with {@code Azure-AsyncOperation} and {@code Location} headers, ARM's error body)
 * and Azure AD's token endpoint ({@code POST /<tenant>/oauth2/v2.0/token}, the client-credentials grant), both over
 * HTTPS on 127.0.0.1 with a certificate made for the run (the Azure SDK's token policy refuses plain http). Every call
 * is recorded. State is kept per subscription, each with its own tenant and app registration.
 *
 * <p>A VM that runs is a real SSH server on its own loopback address, reported as its public and private IP; nothing
 * here ever reports an address outside 127.0.0.0/8. {@link #shared()} points Azure backends at this fake with the
 * system properties {@code dstack.azure.resourceManagerEndpoint} and {@code dstack.azure.authorityHost}, and makes
 * the JVM's default TLS context trust its certificate; it shortens the SDK's wait between polls of a long-running
 * operation (30 s) with the SDK's own delay provider.
 */
public final class FakeArm implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static FakeArm shared;

    private final HttpsServer server;
    private final Map<String, FakeArmSubscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, FakeArmSubscription> tokens = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    /** One request: the subscription it was for (null for Azure AD and tenants), the method, path and body. */
    public record Call(String subscription, String method, String path, String body) {}

    private FakeArm(SSLContext tls) throws IOException {
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-arm");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The JVM's fake, started on first use; Azure backends built afterwards talk to it. */
    public static synchronized FakeArm shared() {
        if (shared == null) {
            try {
                SSLContext tls = selfSignedTls();
                SSLContext.setDefault(tls);
                shared = new FakeArm(tls);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the fake ARM", e);
            }
            // ARM's clients wait 30 s between polls of a long-running operation; the fake finishes them at once
            ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(delay -> Duration.ofMillis(20));
            System.setProperty("dstack.azure.resourceManagerEndpoint", shared.url());
            System.setProperty("dstack.azure.authorityHost", shared.url());
        }
        return shared;
    }

    /** A key and certificate for 127.0.0.1, made with the JDK's keytool, trusted by the returned context. */
    private static SSLContext selfSignedTls() throws Exception {
        Path dir = Files.createTempDirectory("fake-arm-tls");
        Path keystore = dir.resolve("fake-arm.p12");
        char[] password = "fake-arm".toCharArray();
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "fake-arm",
                "-alias", "fake-arm", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1",
                "-validity", "2").redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return tls;
    }

    public String url() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A new subscription with its own tenant and app (client id and secret). */
    public FakeArmSubscription newSubscription() {
        FakeArmSubscription subscription = new FakeArmSubscription(UUID.randomUUID().toString(),
                UUID.randomUUID().toString(), url());
        subscriptions.put(subscription.id(), subscription);
        return subscription;
    }

    public List<Call> calls(FakeArmSubscription subscription) {
        return calls.stream().filter(c -> subscription.id().equals(c.subscription())).toList();
    }

    /** {@code METHOD path} of a subscription's calls, in order, without the {@code /subscriptions/<id>} prefix. */
    public List<String> requests(FakeArmSubscription subscription) {
        String prefix = "/subscriptions/" + subscription.id();
        return calls(subscription).stream().map(c -> c.method() + " " + c.path().replace(prefix, "")).toList();
    }

    /** Everything sent to Azure AD's token endpoint. */
    public List<Call> tokenCalls() {
        return calls.stream().filter(c -> c.path().endsWith("/oauth2/v2.0/token")).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> query = parse(exchange.getRequestURI().getRawQuery());
        FakeArmSubscription.Reply reply;
        try {
            if (path.endsWith("/oauth2/v2.0/token")) {
                calls.add(new Call(null, method, path, body));
                reply = token(path.substring(1, path.indexOf('/', 1)), parse(body));
            } else {
                String subscriptionId = path.startsWith("/subscriptions/")
                        ? path.split("/")[2] : null;
                calls.add(new Call(subscriptionId, method, path, body));
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                FakeArmSubscription caller = auth == null ? null : tokens.get(auth.replaceFirst("^Bearer ", ""));
                if (caller == null) {
                    throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
                }
                if (path.equals("/tenants")) {
                    ObjectNode list = JSON.createObjectNode();
                    list.putArray("value").addObject().put("id", "/tenants/" + caller.tenantId())
                            .put("tenantId", caller.tenantId()).put("tenantCategory", "Home");
                    reply = new FakeArmSubscription.Reply(200, list, Map.of());
                } else {
                    FakeArmSubscription subscription = subscriptions.get(subscriptionId);
                    if (subscription == null || subscription != caller) {
                        throw new ArmError(subscription == null ? 404 : 403,
                                subscription == null ? "SubscriptionNotFound" : "AuthorizationFailed",
                                subscription == null ? "The subscription '" + subscriptionId + "' could not be found."
                                        : "The client does not have authorization to perform action over scope "
                                                + "'/subscriptions/" + subscriptionId + "'");
                    }
                    ObjectNode json = body.isBlank() ? null : (ObjectNode) JSON.readTree(body);
                    reply = subscription.handle(method, path.substring(("/subscriptions/" + subscriptionId).length()),
                            json, query);
                }
            }
        } catch (ArmError e) {
            ObjectNode error = JSON.createObjectNode();
            if (e.aad) {
                error.put("error", e.code).put("error_description", e.getMessage()).putArray("error_codes");
                error.put("trace_id", UUID.randomUUID().toString()).put("correlation_id", UUID.randomUUID().toString());
            } else {
                error.putObject("error").put("code", e.code).put("message", e.getMessage());
            }
            reply = new FakeArmSubscription.Reply(e.status, error, Map.of());
        } catch (RuntimeException e) {
            ObjectNode error = JSON.createObjectNode();
            error.putObject("error").put("code", "InternalServerError").put("message", String.valueOf(e));
            reply = new FakeArmSubscription.Reply(500, error, Map.of());
        }
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.getResponseHeaders().set("x-ms-request-id", UUID.randomUUID().toString());
        if (reply.body() == null || method.equals("HEAD")) {
            exchange.sendResponseHeaders(reply.status(), -1);
        } else {
            byte[] bytes = JSON.writeValueAsBytes(reply.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    /** Azure AD's client-credentials grant: the app of a subscription in its tenant, with its current secret. */
    private FakeArmSubscription.Reply token(String tenant, Map<String, String> form) {
        if (!"client_credentials".equals(form.get("grant_type"))) {
            throw ArmError.aad(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant "
                    + "type.");
        }
        List<FakeArmSubscription> inTenant = subscriptions.values().stream()
                .filter(s -> s.tenantId().equals(tenant)).toList();
        if (inTenant.isEmpty()) {
            throw ArmError.aad(400, "invalid_request", "AADSTS90002: Tenant '" + tenant + "' not found. Check to "
                    + "make sure you have the correct tenant ID and are signing into the correct cloud.");
        }
        FakeArmSubscription subscription = inTenant.stream().filter(s -> s.clientId().equals(form.get("client_id")))
                .findFirst().orElseThrow(() -> ArmError.aad(400, "unauthorized_client", "AADSTS700016: Application "
                        + "with identifier '" + form.get("client_id") + "' was not found in the directory '" + tenant
                        + "'."));
        if (!subscription.clientSecret().equals(form.get("client_secret"))) {
            throw ArmError.aad(401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the "
                    + "secret being sent in the request is the client secret value, not the client secret ID, for a "
                    + "secret added to app '" + subscription.clientId() + "'.");
        }
        String token = "eyJ0eXAiOiJKV1QifQ.fake-" + UUID.randomUUID();
        tokens.put(token, subscription);
        ObjectNode reply = JSON.createObjectNode().put("token_type", "Bearer").put("expires_in", 3599)
                .put("ext_expires_in", 3599).put("access_token", token);
        return new FakeArmSubscription.Reply(200, reply, Map.of());
    }

    private static Map<String, String> parse(String form) {
        Map<String, String> params = new LinkedHashMap<>();
        if (form == null) {
            return params;
        }
        for (String pair : form.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            params.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return params;
    }

    @Override
    public void close() {
        subscriptions.values().forEach(FakeArmSubscription::close);
        server.stop(0);
    }

    /** An error ARM (or Azure AD, {@link #aad}) answers with: HTTP status, code and message. */
    static final class ArmError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;
        final boolean aad;

        ArmError(int status, String code, String message) {
            this(status, code, message, false);
        }

        private ArmError(int status, String code, String message, boolean aad) {
            super(message);
            this.status = status;
            this.code = code;
            this.aad = aad;
        }

        static ArmError aad(int status, String code, String message) {
            return new ArmError(status, code, message, true);
        }
    }
}
