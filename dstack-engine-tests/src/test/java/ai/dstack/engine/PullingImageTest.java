package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.core.internal.host.LocalResourceDetector;
import ai.dstack.core.testing.PodmanTestImage;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose image the runtime does not have yet is `pulling` (dstack's job status) while podman pulls it, with the
 * pull's progress in the job's logs, then runs. The image comes from a registry on loopback speaking the registry
 * API (manifests and blobs of an OCI layout that podman saved), which holds its blobs until the test has seen the
 * job pulling.
 */
class PullingImageTest {
    @TempDir Path dir;
    final String name = "dstack-jvm-pull-" + UUID.randomUUID().toString().substring(0, 8);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> requests = new CopyOnWriteArrayList<>();
    HttpServer registry;
    ExecutorService registryThreads;
    DstackEngine engine;
    String image;

    @BeforeEach
    void setUp() throws Exception {
        String testImage = PodmanTestImage.require();
        Path layout = ociLayout(testImage);
        registryThreads = Executors.newCachedThreadPool();
        registry = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        registry.setExecutor(registryThreads);
        registry.createContext("/v2/", exchange -> serve(exchange, layout));
        registry.start();
        String address = "127.0.0.1:" + registry.getAddress().getPort();
        image = address + "/" + name + ":v1";
        Path registriesConf = Files.writeString(dir.resolve("registries.conf"),
                "[[registry]]\nlocation = \"" + address + "\"\ninsecure = true\n");
        Map<String, String> env = new LinkedHashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        Path server = dir.resolve("server");
        engine = DstackEngine.builder().serverDirectory(server).localBlocks(2)
                .hostExecutor(new LocalHostExecutor(server.resolve("local").resolve("jobs"), env, "podman"),
                        new LocalResourceDetector(server).detect())
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        if (engine != null) {
            engine.close();
        }
        if (registry != null) {
            registry.stop(0);
            registryThreads.shutdownNow();
        }
        if (image != null) {
            podman(true, "rmi", "-f", image);
        }
    }

    @Test
    void theJobIsPullingWhileTheImageIsFetchedWithProgressInItsLogsThenRuns() throws Exception {
        TaskConfiguration task = DstackYaml.parse("type: task\nimage: " + image + "\ncommands:\n  - cat /etc/pulled\n",
                "pull.dstack.yml", TaskConfiguration.class);
        Run run = engine.applyRun(task);
        String runName = run.runSpec().runName();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(EngineContractTest.latest(engine.getRun(engine.defaultProject(), runName)).status())
                        .as("registry requests %s", requests).isEqualTo(JobStatus.PULLING));
        // podman is at the registry, whose blobs are held: the job is still pulling.
        await().atMost(Duration.ofSeconds(60)).until(() -> requests.stream().anyMatch(r -> r.contains("/blobs/")));
        assertThat(requests).anyMatch(r -> r.contains("/manifests/v1"));
        assertThat(EngineContractTest.latest(engine.getRun(engine.defaultProject(), runName)).status())
                .isEqualTo(JobStatus.PULLING);
        release.countDown();
        Run done = engine.awaitFinished(engine.defaultProject(), runName, Duration.ofSeconds(120));
        List<String> lines = new ArrayList<>();
        engine.client(engine.adminToken()).project("main").followLogs(runName,
                event -> lines.addAll(new String(event.messageBytes(), StandardCharsets.UTF_8).lines().toList()));

        assertThat(done.status()).as(String.join("\n", lines)).isEqualTo(RunStatus.DONE);
        assertThat(lines).contains("pulled from the registry");
        assertThat(String.join("\n", lines)).as("podman's pull progress").contains("Copying config",
                "Writing manifest");
        assertThat(lines.indexOf("pulled from the registry")).isGreaterThan(0);
    }

    /** The test image plus a file, saved by podman as an OCI layout with uncompressed layers, and removed again. */
    private Path ociLayout(String base) throws Exception {
        Path context = Files.createDirectories(dir.resolve("build"));
        Files.writeString(context.resolve("pulled"), "pulled from the registry\n");
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

    private static final Pattern MANIFEST = Pattern.compile("/v2/.+/manifests/[^/]+");
    private static final Pattern BLOB = Pattern.compile("/v2/.+/blobs/sha256:([0-9a-f]{64})");

    /** The registry API's read side: the version check, the one manifest by its tag, blobs by digest. */
    private void serve(HttpExchange exchange, Path layout) throws IOException {
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
                // Held until the test saw the job pulling.
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
