package ai.dstack.backend.aws.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake EC2 for tests, speaking EC2's Query API: form-encoded {@code POST /} with {@code Action=...}, XML replies in
 * the 2016-11-15 namespace, errors as EC2's {@code <Response><Errors>} XML with EC2's codes and HTTP statuses.
 * Every call is recorded. State is kept per account (the access key id of the request's signature), so tests sharing
 * the one fake of a JVM do not see each other.
 *
 * <p>An instance that "runs" is a real SSH server (({@link ai.dstack.backend.ssh.testing.FakeVmSsh})) on its own loopback address,
 * 127.0.0.2, 127.0.0.3, ... port 22, which EC2 reports as its public and private address; terminating it stops the
 * server. Nothing here ever reports an address outside 127.0.0.0/8.
 *
 * <p>The EC2 client finds the fake through the SDK's standard setting: {@link #shared()} sets the system property
 * {@code aws.endpointUrlEc2} (the property form of {@code AWS_ENDPOINT_URL_EC2}). The same server answers Service
 * Quotas ({@link FakeServiceQuotas}, {@code aws.endpointUrlServiceQuotas}).
 */
public final class FakeEc2 implements AutoCloseable {
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/[^/]+/([^/]+)/");
    private static FakeEc2 shared;

    private final HttpServer server;
    private final Map<String, FakeEc2Account> accounts = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final FakeServiceQuotas quotas = new FakeServiceQuotas(accounts, calls);

    /** One request: who sent it, to which region, the action and its parameters. */
    public record Call(String accessKey, String region, String action, Map<String, String> params) {}

    private FakeEc2() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-ec2");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The JVM's fake EC2, started on first use; EC2 clients built afterwards talk to it. */
    public static synchronized FakeEc2 shared() {
        if (shared == null) {
            try {
                shared = new FakeEc2();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the fake EC2", e);
            }
            System.setProperty("aws.endpointUrlEc2", shared.url());
            // Service Quotas (AWS_ENDPOINT_URL_SERVICE_QUOTAS) on the same server: its JSON protocol says X-Amz-Target
            System.setProperty("aws.endpointUrlServiceQuotas", shared.url());
            // never the instance metadata service (169.254.169.254) from a test, whatever the credentials
            System.setProperty("aws.disableEc2Metadata", "true");
        }
        return shared;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A new account with its own access key; its state is empty but for default VPCs and public images. */
    public FakeEc2Account newAccount() {
        String key = "AKIAFAKE" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toUpperCase();
        FakeEc2Account account = new FakeEc2Account(key);
        accounts.put(key, account);
        return account;
    }

    /**
     * The account of a fixed access key, made on first use: for tests that configure {@code aws} with literal keys
     * (e.g. {@code AK}/{@code SK}) and need the credential check to pass on this fake.
     */
    public FakeEc2Account account(String accessKey) {
        return accounts.computeIfAbsent(accessKey, FakeEc2Account::new);
    }

    /** The calls of one account, in order. */
    public List<Call> calls(FakeEc2Account account) {
        return calls.stream().filter(c -> c.accessKey().equals(account.accessKey())).toList();
    }

    /** The actions an account called, in order. */
    public List<String> actions(FakeEc2Account account) {
        return calls(account).stream().map(Call::action).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher m = CREDENTIAL.matcher(auth == null ? "" : auth);
        String accessKey = m.find() ? m.group(1) : "";
        String region = m.groupCount() >= 2 && !accessKey.isEmpty() ? m.group(2) : "us-east-1";
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null && target.startsWith(FakeServiceQuotas.TARGET_PREFIX)) {
            quotas.handle(exchange, accessKey, region, target, body);
            return;
        }
        Map<String, String> params = parseForm(body);
        String action = params.getOrDefault("Action", "");
        calls.add(new Call(accessKey, region, action, Collections.unmodifiableMap(params)));
        String requestId = UUID.randomUUID().toString();
        int status;
        String reply;
        try {
            FakeEc2Account account = accounts.get(accessKey);
            if (account == null) {
                throw new Ec2Error(401, "AuthFailure", "AWS was not able to validate the provided access credentials");
            }
            String inner = account.handle(region, action, params);
            status = 200;
            reply = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + action
                    + "Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>" + requestId
                    + "</requestId>" + inner + "</" + action + "Response>";
        } catch (Ec2Error e) {
            status = e.status;
            reply = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + e.code
                    + "</Code><Message>" + Xml.escape(e.getMessage()) + "</Message></Error></Errors><RequestID>"
                    + requestId + "</RequestID></Response>";
        } catch (RuntimeException e) {
            status = 500;
            reply = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>InternalError</Code>"
                    + "<Message>" + Xml.escape(String.valueOf(e)) + "</Message></Error></Errors><RequestID>"
                    + requestId + "</RequestID></Response>";
        }
        byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/xml;charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(key, value);
        }
        return params;
    }

    /** Every account's live instances, for a last check that nothing leaked. */
    public List<FakeEc2Account> accounts() {
        return new ArrayList<>(accounts.values());
    }

    @Override
    public void close() {
        accounts.values().forEach(FakeEc2Account::close);
        server.stop(0);
    }
}
