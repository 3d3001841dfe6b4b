package ai.dstack.server;

import ai.dstack.client.ApplyRunRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.json.DstackJson;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunSpec;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.user.GlobalRole;
import ai.dstack.api.user.ProjectRole;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.client.MemberSetting;
import ai.dstack.core.testing.PodmanTestImage;
import ai.dstack.testing.SettableClock;
import ai.dstack.client.NewUser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import ai.dstack.core.internal.services.ServiceNetwork;
import org.junit.jupiter.api.Assumptions;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev environments and SSH into jobs on a real engine and server on loopback: log-in with the run's key, commands in
 * the job's working directory and environment, a wrong key refused, {@code inactivity_duration} on a settable clock,
 * {@code job_connection_info}, and port forwarding to a task's HTTP server.
 */
class DevEnvironmentSshTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SMALL = "resources:\n  cpu: 0..\n  memory: 0GB..\n";

    @TempDir
    static Path dir;

    private static final SettableClock clock = SettableClock.offsetFromSystem();
    private static DstackServer server;
    private static DstackEngine engine;
    private static OkHttpClient http;
    private static SshClient ssh;
    private static KeyPair adminKey;

    @BeforeAll
    static void start() throws Exception {
        engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(16)
                .sweepInterval(Duration.ofMillis(200)).clock(clock).build();
        server = DstackServer.builder().engine(engine).port(0).sshPort(0).build().start();
        http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
        ssh = SshClient.setUpDefaultClient();
        ssh.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
        ssh.start();
        String privateKey = post("/api/users/get_my_user", "{}").path("ssh_private_key").asText();
        adminKey = keyPair(privateKey);
    }

    @AfterAll
    static void stop() throws IOException {
        if (ssh != null) {
            ssh.stop();
        }
        if (http != null) {
            http.dispatcher().executorService().shutdown();
        }
        if (server != null) {
            server.close();
            engine.close();
        }
    }

    @Test
    void aShellInTheDevEnvironmentHasItsWorkingDirectoryEnvironmentAndInitOutput() throws Exception {
        String upstream = submitAndAwaitRunning("dev-shell", """
                type: dev-environment
                ide: vscode
                env:
                  - GREETING=hello from dstack
                init:
                  - echo init ran > init-marker
                """ + SMALL);
        try (ClientSession session = login(upstream, adminKey)) {
            String out = session.executeRemoteCommand("pwd; echo \"$GREETING\"; echo \"$DSTACK_RUN_NAME\"; cat init-marker");
            String workdir = dir.resolve("server").resolve("local").resolve("jobs").toRealPath().toString();
            assertThat(out.lines().toList()).hasSize(4);
            assertThat(out.lines().toList().get(0)).startsWith(workdir).endsWith("/workdir");
            assertThat(out.lines().toList().subList(1, 4)).containsExactly("hello from dstack", "dev-shell", "init ran");
        }

        JsonNode info = post("/api/project/main/runs/get", "{\"run_name\":\"dev-shell\"}")
                .path("jobs").path(0).path("job_connection_info");
        assertThat(info.path("sshproxy_upstream_id").asText()).isEqualTo(upstream);
        assertThat(info.path("sshproxy_hostname").asText()).isEqualTo("127.0.0.1");
        assertThat(info.path("sshproxy_port").asInt()).isEqualTo(server.sshPort());
        assertThat(info.path("attached_ssh_command").toString()).isEqualTo("[\"ssh\",\"dev-shell\"]");
        assertThat(info.path("proxied_ssh_command").toString()).isEqualTo(
                "[\"ssh\",\"" + upstream + "@127.0.0.1\",\"-p\",\"" + server.sshPort() + "\"]");
        assertThat(info.path("ide_name").asText()).isEqualTo("VS Code");
        assertThat(info.path("attached_ide_url").asText()).startsWith("vscode://vscode-remote/ssh-remote+dev-shell/")
                .endsWith("/workdir");
        engine.stopRuns("main", List.of("dev-shell"), true);
    }

    @Test
    void aShellWithATerminalIsInteractiveFollowsTheWindowSizeAndEndsWithItsExitCode() throws Exception {
        String upstream = submitAndAwaitRunning("dev-pty", "type: dev-environment\nenv:\n  - GREETING=hi from a terminal\n" + SMALL);
        try (ClientSession session = login(upstream, adminKey); ChannelShell shell = session.createShellChannel()) {
            shell.setPtyType("xterm");
            shell.setPtyColumns(100);
            shell.setPtyLines(40);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            shell.setOut(out);
            shell.setErr(out);
            shell.open().verify(WAIT);
            OutputStream in = shell.getInvertedIn();
            in.write("echo \"[$GREETING]\"; tty; stty size\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            await().atMost(WAIT).until(() -> out.toString(StandardCharsets.UTF_8).contains("40 100"));
            // The user's window grows: the shell's terminal follows.
            shell.sendWindowChange(120, 50);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
                in.write("stty size\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                return out.toString(StandardCharsets.UTF_8).contains("50 120");
            });
            in.write("exit 7\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            shell.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT);
            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(text).contains("[hi from a terminal]").containsPattern("/dev/pts/\\d+").contains("40 100");
            assertThat(shell.getExitStatus()).as("%s", text).isEqualTo(7);
        }
        engine.stopRuns("main", List.of("dev-pty"), true);
    }

    @Test
    void aKeyTheRunDoesNotAuthorizeIsRefused() throws Exception {
        String upstream = submitAndAwaitRunning("dev-wrong-key", "type: dev-environment\n" + SMALL);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair stranger = generator.generateKeyPair();
        assertThatThrownBy(() -> login(upstream, stranger)).isInstanceOf(IOException.class);
        // The right key with a name that is no running job gets nowhere either.
        assertThatThrownBy(() -> login("0".repeat(32), adminKey)).isInstanceOf(IOException.class);
        engine.stopRuns("main", List.of("dev-wrong-key"), true);
    }

    @Test
    void aProjectMembersKeyOpensTheRunUntilTheMemberLeavesTheProject() throws Exception {
        String upstream = submitAndAwaitRunning("dev-members", "type: dev-environment\n" + SMALL);
        engine.createUser(NewUser.of("bob", GlobalRole.USER));
        KeyPair bobKey = keyPair(engine.app().getUser(engine.app().authenticate(engine.adminToken()), "bob").sshPrivateKey());

        assertThatThrownBy(() -> login(upstream, bobKey)).as("not a member yet").isInstanceOf(IOException.class);
        engine.addMembers("main", List.of(new MemberSetting("bob", ProjectRole.USER)));
        try (ClientSession session = login(upstream, bobKey)) {
            assertThat(session.executeRemoteCommand("echo \"$DSTACK_RUN_NAME\"")).isEqualTo("dev-members\n");
        }
        engine.removeMembers("main", List.of("bob"));
        assertThatThrownBy(() -> login(upstream, bobKey)).as("no longer a member").isInstanceOf(IOException.class);
        engine.stopRuns("main", List.of("dev-members"), true);
    }

    @Test
    void anIdleDevEnvironmentEndsAfterItsInactivityDurationButNotWhileSomeoneIsAttached() throws Exception {
        String upstream = submitAndAwaitRunning("dev-idle", "type: dev-environment\ninactivity_duration: 10m\n" + SMALL);
        try (ClientSession session = login(upstream, adminKey)) {
            assertThat(session.executeRemoteCommand("echo attached")).isEqualTo("attached\n");
            clock.advance(Duration.ofMinutes(30));
            Instant afterJump = clock.instant();
            // The engine looks at the job again after the jump and leaves it running: someone is attached.
            await().atMost(WAIT).until(() -> !latest("dev-idle").lastProcessedAt().isBefore(afterJump));
            assertThat(engine.getRun("main", "dev-idle").status()).isEqualTo(RunStatus.RUNNING);
        }
        clock.advance(Duration.ofMinutes(11));
        // The server notes the detach when it has closed the session, which may be after the jump above: then the
        // idle time counts from the jump, and the next jump ends the job.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            if (engine.getRun("main", "dev-idle").status().isFinished()) {
                return true;
            }
            clock.advance(Duration.ofMinutes(11));
            return false;
        });
        Run ended = engine.awaitFinished("main", "dev-idle", WAIT);
        JobSubmission job = ended.jobs().get(0).latestSubmission();
        assertThat(job.terminationReason()).isEqualTo("inactivity_duration_exceeded");
        assertThat(job.terminationReasonMessage()).matches(
                "The job was inactive for \\d+ seconds, exceeding the inactivity_duration of 600 seconds");
    }

    @Test
    void portForwardingReachesTheJobsHttpServersAndNothingElse() throws Exception {
        int port = freePort();
        String upstream = submitAndAwaitRunning("web-task", """
                type: task
                ports:
                  - %d
                commands:
                  - echo served > index.html
                  - python3 -m http.server %d --bind 127.0.0.1
                """.formatted(port, port) + SMALL);
        try (ClientSession session = login(upstream, adminKey)) {
            SshdSocketAddress local = session.startLocalPortForwarding(new SshdSocketAddress("127.0.0.1", 0),
                    new SshdSocketAddress("localhost", port));
            await().atMost(WAIT).ignoreExceptions().until(() -> httpGet(local.getPort(), "/index.html").equals("served\n"));

            // A server started over SSH in the job (as an IDE starts its own) is the job's too.
            int started = freePort();
            session.executeRemoteCommand("mkdir -p extra && echo extra > extra/index.html && cd extra && "
                    + "nohup python3 -m http.server " + started + " --bind 127.0.0.1 > /dev/null 2>&1 &");
            SshdSocketAddress extra = session.startLocalPortForwarding(new SshdSocketAddress("127.0.0.1", 0),
                    new SshdSocketAddress("localhost", started));
            await().atMost(WAIT).ignoreExceptions().until(() -> httpGet(extra.getPort(), "/index.html").equals("extra\n"));

            // The dstack API is on this host too, but it is not the job's: the tunnel to it is refused.
            SshdSocketAddress api = session.startLocalPortForwarding(new SshdSocketAddress("127.0.0.1", 0),
                    new SshdSocketAddress("localhost", server.port()));
            assertThat(httpGet(server.port(), "/healthcheck")).contains("running");
            assertThatThrownBy(() -> httpGet(api.getPort(), "/healthcheck")).isInstanceOf(IOException.class);
            engine.stopRuns("main", List.of("web-task"), true);
            // The server started over SSH ends with the job, as it would with the job's container.
            await().atMost(WAIT).until(() -> !listening(started));
        }
    }

    @Test
    void forwardingToAServiceReplicaReachesThatReplicaInItsOwnNetwork() throws Exception {
        Assumptions.assumeTrue(ServiceNetwork.forThisHost().isolated(),
                "replicas share the host's network here (no network namespaces), so two cannot listen on one port");
        submitAndAwaitRunning("two-replicas", """
                type: service
                port: 8000
                replicas: 2
                auth: false
                commands:
                  - echo $DSTACK_JOB_ID > index.html
                  - python3 -m http.server 8000 --bind 127.0.0.1
                """ + SMALL);
        await().atMost(WAIT).until(() -> engine.getRun("main", "two-replicas").jobs().stream()
                .filter(job -> job.latestSubmission().status() == ai.dstack.api.run.JobStatus.RUNNING).count() == 2);
        try {
            for (ai.dstack.api.run.Job job : engine.getRun("main", "two-replicas").jobs()) {
                String jobId = job.latestSubmission().id().toString();
                try (ClientSession session = login(jobId.replace("-", ""), adminKey)) {
                    SshdSocketAddress local = session.startLocalPortForwarding(new SshdSocketAddress("127.0.0.1", 0),
                            new SshdSocketAddress("localhost", 8000));
                    await().atMost(WAIT).ignoreExceptions()
                            .until(() -> httpGet(local.getPort(), "/index.html").equals(jobId + "\n"));
                }
            }
        } finally {
            engine.stopRuns("main", List.of("two-replicas"), true);
        }
    }

    @Test
    void aDevEnvironmentWithAnImageIsEnteredInsideItsContainer() throws Exception {
        String image = PodmanTestImage.require();
        String upstream = submitAndAwaitRunning("dev-boxed", """
                type: dev-environment
                ide: vscode
                image: %s
                env:
                  - GREETING=hello from the container
                init:
                  - echo init ran > init-marker
                """.formatted(image) + SMALL);
        try (ClientSession session = login(upstream, adminKey)) {
            String out = session.executeRemoteCommand(
                    "pwd; echo \"$GREETING\"; cat init-marker; grep -c bookworm /etc/os-release");
            assertThat(out.lines().toList()).containsExactly("/workflow", "hello from the container", "init ran", "3");
        } finally {
            engine.stopRuns("main", List.of("dev-boxed"), true);
        }
    }

    private static String submitAndAwaitRunning(String name, String yaml) {
        RunConfiguration configuration = DstackYaml.parse(yaml, name + ".dstack.yml", RunConfiguration.class);
        engine.applyRun("main", ApplyRunRequest.of(RunSpec.newBuilder().runName(name).configuration(configuration).build()));
        await().atMost(WAIT).until(() -> {
            Run run = engine.getRun("main", name);
            assertThat(run.status().isFinished()).as("run %s ended early: %s", name, run).isFalse();
            return run.status() == RunStatus.RUNNING;
        });
        return latest(name).id().toString().replace("-", "");
    }

    private static JobSubmission latest(String runName) {
        return engine.getRun("main", runName).jobs().get(0).latestSubmission();
    }

    private static ClientSession login(String user, KeyPair key) throws IOException {
        ClientSession session = ssh.connect(user, "127.0.0.1", server.sshPort()).verify(WAIT).getSession();
        try {
            session.addPublicKeyIdentity(key);
            session.auth().verify(WAIT);
            return session;
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    static KeyPair keyPair(String pem) throws Exception {
        try (InputStream in = new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8))) {
            Iterator<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("user key"), in, null)
                    .iterator();
            return keys.next();
        }
    }

    private static String httpGet(int port, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
                .openConnection();
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(5000);
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static JsonNode post(String path, String body) {
        Request request = new Request.Builder().url(server.url() + path)
                .header("Authorization", "Bearer " + engine.adminToken())
                .post(RequestBody.create(body, MediaType.get("application/json"))).build();
        try (Response response = http.newCall(request).execute()) {
            String text = response.body().string();
            assertThat(response.code()).as("%s: %s", path, text).isEqualTo(200);
            return DstackJson.mapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
