package ai.dstack.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image registry on loopback speaking the registry API's read side (the version check, the one manifest by its
 * tag, blobs by digest) for one image: {@link PodmanTestImage}'s plus {@code /etc/pulled} ("pulled from the
 * registry"), saved by podman as an OCI layout. It holds its blobs until {@link #release()}, so a test sees a pull
 * under way. Podman reaches it over plain HTTP with {@link #registriesConf()}.
 */
public final class HeldImageRegistry implements AutoCloseable {
    /** The line {@code cat /etc/pulled} prints in the image. */
    public static final String PULLED = "pulled from the registry";
    private static final Pattern MANIFEST = Pattern.compile("/v2/.+/manifests/[^/]+");
    private static final Pattern BLOB = Pattern.compile("/v2/.+/blobs/sha256:([0-9a-f]{64})");

    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Path layout;
    private final Path registriesConf;
    private final HttpServer server;
    private final ExecutorService threads;
    private final String image;

    /** Builds the image's layout under {@code dir} (podman must be there: see {@link PodmanTestImage#require()}). */
    public HeldImageRegistry(Path dir) throws Exception {
        String name = "dstack-jvm-pull-" + UUID.randomUUID().toString().substring(0, 8);
        layout = ociLayout(dir, PodmanTestImage.require(), name);
        threads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(threads);
        server.createContext("/v2/", this::serve);
        server.start();
        String address = "127.0.0.1:" + server.getAddress().getPort();
        image = address + "/" + name + ":v1";
        registriesConf = Files.writeString(dir.resolve("registries.conf"),
                "[[registry]]\nlocation = \"" + address + "\"\ninsecure = true\n");
    }

    /** The image's reference, at this registry. */
    public String image() {
        return image;
    }

    /** For {@code CONTAINERS_REGISTRIES_CONF}: this registry, reached over plain HTTP. */
    public Path registriesConf() {
        return registriesConf;
    }

    /** The requests so far, {@code <method> <path>}. */
    public List<String> requests() {
        return requests;
    }

    /** Lets the held blobs go. */
    public void release() {
        release.countDown();
    }

    /** Stops the registry and removes the pulled image from podman's store. */
    @Override
    public void close() throws Exception {
        release();
        server.stop(0);
        threads.shutdownNow();
        podman(true, "rmi", "-f", image);
    }

    /** The test image plus a file, saved by podman as an OCI layout with uncompressed layers, and removed again. */
    private static Path ociLayout(Path dir, String base, String name) throws Exception {
        Path context = Files.createDirectories(dir.resolve("build"));
        Files.writeString(context.resolve("pulled"), PULLED + "\n");
        Files.writeString(context.resolve("Containerfile"), "FROM " + base + "\nCOPY pulled /etc/pulled\n");
        String local = "localhost/" + name + ":v1";
        podman(false, "build", "-q", "-t", local, context.toString());
        Path layout = dir.resolve("layout");
        try {
            podman(false, "save", "--uncompressed", "--format", "oci-dir", "-o", layout.toString(), local);
        } finally {
            podman(true, "rmi", "-f", local);
        }
        return layout;
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(exchange.getRequestMethod() + " " + path);
        exchange.getResponseHeaders().add("Docker-Distribution-API-Version", "registry/2.0");
        try {
            byte[] body;
            String type = "application/octet-stream";
            String digest = null;
            Matcher blob = BLOB.matcher(path);
            if (path.equals("/v2/")) {
                body = new byte[0];
            } else if (MANIFEST.matcher(path).matches()) {
                String index = Files.readString(layout.resolve("index.json"));
                Matcher m = Pattern.compile("\"digest\":\"sha256:([0-9a-f]{64})\"").matcher(index);
                if (!m.find()) {
                    throw new IOException("no manifest in " + index);
                }
                digest = "sha256:" + m.group(1);
                body = Files.readAllBytes(layout.resolve("blobs").resolve("sha256").resolve(m.group(1)));
                type = "application/vnd.oci.image.manifest.v1+json";
            } else if (blob.matches() && Files.exists(layout.resolve("blobs/sha256/" + blob.group(1)))) {
                if (!release.await(90, TimeUnit.SECONDS)) {
                    throw new IOException("never released");
                }
                digest = "sha256:" + blob.group(1);
                body = Files.readAllBytes(layout.resolve("blobs/sha256/" + blob.group(1)));
            } else {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", type);
            if (digest != null) {
                exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
            }
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.getResponseHeaders().add("Content-Length", Long.toString(body.length));
            exchange.sendResponseHeaders(200, head || body.length == 0 ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(500, -1);
        } finally {
            exchange.close();
        }
    }

    private static void podman(boolean tolerant, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if ((!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) && !tolerant) {
            throw new AssertionError(String.join(" ", command) + " failed: " + output);
        }
    }
}
