package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.cli.internal.CliEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dstack server}: starts, prints its token and URL, configures the client, stops; and its errors. */
class ServerCommandTest {
    @TempDir
    Path dir;

    @Test
    void serverStartsWritesTheMainProjectAndServesTheOtherCommands() throws Exception {
        CliEnvironment environment = new CliEnvironment(Map.of("DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "DSTACK_SERVER_ADMIN_TOKEN", "admin-token-1"), dir.resolve("home"), null, false);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread server = new Thread(() -> exitCode.set(Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                environment, "server", "--port", "0", "-l", "WARNING")));
        server.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> out.toString().contains("The server is running at"));
            Matcher url = Pattern.compile("The server is running at (http://127\\.0\\.0\\.1:\\d+)/").matcher(out.toString());
            assertThat(url.find()).as(out.toString()).isTrue();
            assertThat(out.toString()).contains("The admin token is \"admin-token-1\"",
                    "Configured the main project in " + environment.configFile());
            assertThat(Files.readString(environment.configFile()))
                    .contains("name: main", "token: admin-token-1", "url: " + url.group(1), "default: true");

            assertThat(Files.readString(dir.resolve("server").resolve("config.yml")))
                    .as("the default server config.yml").contains("projects:\n- name: main\n");

            CliRun ps = CliRun.in(environment, "ps");
            assertThat(ps.exitCode()).as("%s", ps).isZero();
            assertThat(ps.outLines()).hasSize(1);

            assertThat(get(url.group(1) + "/").statusCode()).as("the web UI").isEqualTo(200);
        } finally {
            server.interrupt();
            server.join(30_000);
        }
        assertThat(server.isAlive()).isFalse();
        assertThat(exitCode.get()).as(err.toString()).isZero();
    }

    @Test
    void aConfigHoldingAnotherTokenIsLeftAloneWithAWarningWhenNobodyCanBeAsked() throws Exception {
        CliEnvironment environment = new CliEnvironment(Map.of("DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "DSTACK_SERVER_ADMIN_TOKEN", "admin-token-2"), dir.resolve("home"), null, false);
        Files.createDirectories(environment.configFile().getParent());
        String other = "projects:\n- default: true\n  name: main\n  token: old-token\n  url: http://127.0.0.1:1\n";
        Files.writeString(environment.configFile(), other);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Thread server = new Thread(() -> Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                environment, "server", "--port", "0", "-l", "WARNING"));
        server.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> out.toString().contains("The server is running at"));
            Matcher url = Pattern.compile("The server is running at (http://127\\.0\\.0\\.1:\\d+)/").matcher(out.toString());
            assertThat(url.find()).as(out.toString()).isTrue();
            assertThat(err.toString()).contains("Warning: " + environment.configFile() + " was not updated: its default"
                    + " project 'main' (http://127.0.0.1:1) uses another server, and there is no terminal to ask.",
                    "Restart with -y to update it, or run: dstack project add --name main --url " + url.group(1)
                    + " --token admin-token-2 -y");
            assertThat(out.toString()).doesNotContain("Configured the main project");
            assertThat(Files.readString(environment.configFile())).isEqualTo(other);
        } finally {
            server.interrupt();
            server.join(30_000);
        }
    }

    @Test
    void theWebUiCanBeTurnedOff() throws Exception {
        CliEnvironment environment = new CliEnvironment(Map.of("DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "DSTACK_SERVER_UI", "off", "DSTACK_SERVER_LOCAL_FLEET", "false"), dir.resolve("home"), null, false);
        StringWriter out = new StringWriter();
        Thread server = new Thread(() -> Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                environment, "server", "--port", "0", "-n", "-l", "WARNING"));
        server.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> out.toString().contains("The server is running at"));
            Matcher url = Pattern.compile("The server is running at (http://127\\.0\\.0\\.1:\\d+)/").matcher(out.toString());
            assertThat(url.find()).as(out.toString()).isTrue();
            assertThat(get(url.group(1) + "/").statusCode()).isEqualTo(404);
            assertThat(get(url.group(1) + "/healthcheck").statusCode()).isEqualTo(200);
        } finally {
            server.interrupt();
            server.join(30_000);
        }
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPortInUseIsOneClearError() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CliEnvironment environment = new CliEnvironment(Map.of("DSTACK_SERVER_DIR", dir.resolve("server").toString()),
                    dir.resolve("home"), null, false);

            CliRun run = CliRun.in(environment, "server", "--port", String.valueOf(taken.getLocalPort()));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()).hasSize(1);
            assertThat(run.err()).startsWith("Error: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .contains("--port");
        }
    }

    @Test
    void badValuesAreUsageErrors() {
        CliEnvironment environment = new CliEnvironment(Map.of("DSTACK_SERVER_PORT", "abc"), dir, null, false);

        CliRun badEnv = CliRun.in(environment, "server");
        assertThat(badEnv.exitCode()).isEqualTo(2);
        assertThat(badEnv.err()).isEqualTo("Error: DSTACK_SERVER_PORT is 'abc': not a port number (0-65535)\n");

        CliEnvironment fine = new CliEnvironment(Map.of(), dir, null, false);
        CliRun badLevel = CliRun.in(fine, "server", "--port", "0", "-l", "LOUD");
        assertThat(badLevel.exitCode()).isEqualTo(2);
        assertThat(badLevel.err()).isEqualTo(
                "Error: --log-level is 'LOUD': expected TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL\n");

        CliRun badUi = CliRun.in(new CliEnvironment(Map.of("DSTACK_SERVER_UI", "maybe"), dir, null, false), "server");
        assertThat(badUi.exitCode()).isEqualTo(2);
        assertThat(badUi.err()).isEqualTo("Error: DSTACK_SERVER_UI is 'maybe': expected on or off\n");

        CliRun badPort = CliRun.in(fine, "server", "--port", "70000");
        assertThat(badPort.exitCode()).isEqualTo(2);
        assertThat(badPort.err()).isEqualTo("Error: --port is '70000': not a port number (0-65535)\n");
    }
}
