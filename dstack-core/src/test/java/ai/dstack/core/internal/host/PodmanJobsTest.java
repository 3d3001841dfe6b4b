package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.core.testing.PodmanTestImage;
import ai.dstack.spi.host.ContainerOptions;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.LogStream;
import ai.dstack.spi.host.ShellJobProtocol;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs with an image in real podman containers, in the local test image (see {@link PodmanTestImage}). */
class PodmanJobsTest {
    @TempDir Path root;
    @TempDir Path hostData;
    String image;
    LocalHostExecutor host;

    @BeforeEach
    void setUp() throws Exception {
        image = PodmanTestImage.require();
        host = new LocalHostExecutor(root, LocalHostExecutor.defaultBaseEnvironment(), "podman");
    }

    @AfterEach
    void tearDown() {
        host.close();
    }

    HostJobState run(JobHandle job) throws Exception {
        return host.onFinished(job).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    String stdout(JobHandle job) {
        return LocalHostExecutorTest.output(host, job, LogStream.STDOUT);
    }

    static int exitCode(HostJobState state) {
        assertThat(state).isInstanceOf(HostJobState.Exited.class);
        return ((HostJobState.Exited) state).exitCode();
    }

    @Test
    void detectsPodmanByItsEngine() {
        assertThat(host.containerRuntime()).contains("podman");
        assertThat(host.containers().runtime().orElseThrow().cli()).isEqualTo(Path.of("/usr/bin/podman"));
    }

    @Test
    void aTaskRunsInTheImageInItsWorkingDirectoryWithItsEnvironmentAndExitCode() throws Exception {
        JobLaunch launch = JobLaunch.of("task", List.of(
                        "echo \"pwd=$PWD wd=$DSTACK_WORKING_DIR token=$TOKEN\"",
                        "grep PRETTY_NAME /etc/os-release",
                        "echo made-inside > made.txt",
                        "exit 7"))
                .withImage(image).withWorkingDir("src").withEnv(Map.of("TOKEN", "s3cr3t-value"));

        JobHandle job = host.start(launch);

        assertThat(exitCode(run(job))).isEqualTo(7);
        assertThat(stdout(job)).contains("pwd=/workflow/src wd=/workflow/src token=s3cr3t-value\n")
                .contains("Debian GNU/Linux 12 (bookworm)");
        // the working directory is the job's own, mounted: what the job wrote is on the host
        assertThat(host.jobDirectory(job).resolve("workdir/src/made.txt")).hasContent("made-inside");
        // secrets go to the container by name: no command line holds their values
        String script = Files.readString(host.jobDirectory(job).resolve("job.sh"));
        assertThat(script.lines().filter(line -> line.contains("podman"))).noneMatch(line -> line.contains("s3cr3t"));
    }

    @Test
    void variablesThatSteerTheContainerCliReachOnlyTheContainer() throws Exception {
        JobHandle job = host.start(JobLaunch.of("client-vars", List.of("echo \"$PATH|$LD_LIBRARY_PATH|$HOME\""))
                .withImage(image).withEnv(Map.of("PATH", "/opt/tools/bin:/usr/bin:/bin",
                        "LD_LIBRARY_PATH", "/opt/missing/lib", "HOME", "/home/me")));

        assertThat(exitCode(run(job))).isZero();
        assertThat(stdout(job)).isEqualTo("/opt/tools/bin:/usr/bin:/bin|/opt/missing/lib|/home/me\n");
    }

    @Test
    void instanceVolumesMountTheHostPathAndOptionalOnesAreSkippedWhenMissing() throws Exception {
        Files.writeString(hostData.resolve("in.txt"), "from the host");
        Path created = hostData.resolve("created-by-mount");
        ContainerOptions options = new ContainerOptions("/workflow", null, null, false, null, List.of(
                new ContainerOptions.Mount(hostData.toString(), "/data", false),
                new ContainerOptions.Mount(created.toString(), "/created", false),
                new ContainerOptions.Mount(hostData.resolve("missing").toString(), "/optional", true)), null);
        JobLaunch launch = JobLaunch.of("volumes", List.of(
                        "cat /data/in.txt", "echo", "echo written > /data/out.txt",
                        "test -d /created && echo created-ok",
                        "test ! -e /optional && echo optional-skipped"))
                .withImage(image).withContainer(options);

        JobHandle job = host.start(launch);

        assertThat(exitCode(run(job))).isZero();
        assertThat(stdout(job)).isEqualTo("from the host\ncreated-ok\noptional-skipped\n");
        assertThat(hostData.resolve("out.txt")).hasContent("written");
        assertThat(created).isDirectory();
        assertThat(hostData.resolve("missing")).doesNotExist();
    }

    @Test
    void privilegedUserAndShmSizeAreSeenFromInside() throws Exception {
        String probe = "grep CapEff /proc/self/status; id -u; df -k /dev/shm | tail -1";
        JobHandle plain = host.start(JobLaunch.of("plain", List.of(probe)).withImage(image));
        JobHandle privileged = host.start(JobLaunch.of("privileged", List.of(probe)).withImage(image)
                .withContainer(new ContainerOptions(null, null, "1234", true, 64L << 20, List.of(), null)));

        assertThat(exitCode(run(plain))).isZero();
        assertThat(exitCode(run(privileged))).isZero();
        String[] plainLines = stdout(plain).split("\n");
        String[] privilegedLines = stdout(privileged).split("\n");
        long plainCaps = Long.parseLong(plainLines[0].split("\\s+")[1], 16);
        long privilegedCaps = Long.parseLong(privilegedLines[0].split("\\s+")[1], 16);
        // CAP_SYS_ADMIN (21) only in the privileged container; as uid 1234 the effective set is empty
        assertThat(plainCaps & (1L << 21)).isZero();
        assertThat(plainLines[1]).isEqualTo("0");
        assertThat(privilegedLines[1]).isEqualTo("1234");
        assertThat(privilegedCaps).isZero();
        assertThat(privilegedLines[2].split("\\s+")[1]).isEqualTo("65536");
    }

    @Test
    void privilegedRootGetsEveryCapability() throws Exception {
        JobHandle job = host.start(JobLaunch.of("root-privileged", List.of("grep CapEff /proc/self/status"))
                .withImage(image).withContainer(new ContainerOptions(null, null, null, true, null, List.of(), null)));

        assertThat(exitCode(run(job))).isZero();
        long caps = Long.parseLong(stdout(job).strip().split("\\s+")[1], 16);
        assertThat(caps & (1L << 21)).as("CAP_SYS_ADMIN").isNotZero();
    }

    @Test
    void usageCountsTheContainersProcessesNotOnlyTheContainerClient() throws Exception {
        // 200 MB held inside the container: far more than the podman client in the job's own session uses.
        JobHandle job = host.start(JobLaunch.of("hungry", List.of("python3 -c \"x = bytearray(200 * 1024 * 1024); "
                + "x[::4096] = b'1' * len(x[::4096]); print('held', flush=True); import time; time.sleep(300)\""))
                .withImage(image));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> stdout(job).equals("held\n"));

            ai.dstack.spi.host.JobUsage usage = host.usage(job).orElseThrow();
            assertThat(usage.memoryUsageBytes()).as("the container's memory is the job's").isGreaterThan(200L << 20);
            assertThat(usage.memoryWorkingSetBytes()).isGreaterThan(200L << 20);
            assertThat(usage.cpuTimeMicros()).isPositive();

            // The container's main process is asked of the runtime once per job: with the runtime's CLI gone from
            // the container file, the next sample still finds the container's processes.
            Path containerFile = root.resolve("hungry").resolve(ShellJobProtocol.CONTAINER_FILE);
            assertThat(root.resolve("hungry").resolve("container-pid")).isNotEmptyFile();
            String container = Files.readString(containerFile);
            Files.writeString(containerFile, container.lines().findFirst().orElseThrow() + "\n/nonexistent/podman\n");
            try {
                assertThat(host.usage(job).orElseThrow().memoryUsageBytes()).isGreaterThan(200L << 20);
            } finally {
                Files.writeString(containerFile, container);
            }
        } finally {
            host.kill(job); // its container would otherwise hold the name for the next run
            run(job);
        }
    }

    @Test
    void stoppingAJobEndsAndRemovesItsContainer() throws Exception {
        JobHandle job = host.start(JobLaunch.of("long", List.of("echo ready", "sleep 300")).withImage(image));
        await().atMost(Duration.ofSeconds(30)).until(() -> stdout(job).equals("ready\n"));
        assertThat(containerExists("dstack-job-long")).isTrue();

        host.stop(job, Duration.ofSeconds(5));

        HostJobState state = run(job);
        assertThat(exitCode(state)).isNotZero();
        LocalHostExecutorTest.awaitWrappersGone(host);
        await().atMost(Duration.ofSeconds(30)).until(() -> !containerExists("dstack-job-long"));
    }

    @Test
    void registryAuthLogsInBeforeThePullWithThePasswordOnStdinOnly() throws Exception {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        String expected = "Basic " + Base64.getEncoder().encodeToString("robot:pa$$ 'word".getBytes(StandardCharsets.UTF_8));
        FakeRegistry registry = new FakeRegistry(expected, authorizations);
        String address = "127.0.0.1:" + registry.port();
        String tagged = address + "/dstack-test:bookworm";
        Path registriesConf = hostData.resolve("registries.conf");
        Files.writeString(registriesConf, "[[registry]]\nlocation = \"" + address + "\"\ninsecure = true\n");
        Map<String, String> env = new HashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        try (LocalHostExecutor withRegistry = new LocalHostExecutor(root.resolve("r"), env, "podman")) {
            podman("tag", image, tagged); // present locally: the run needs no pull, the log-in is what is tested
            JobHandle job = withRegistry.start(JobLaunch.of("login", List.of("echo in")).withImage(tagged)
                    .withContainer(new ContainerOptions(null, null, null, false, null, List.of(),
                            new ContainerOptions.RegistryLogin("robot", "pa$$ 'word"))));
            HostJobState state = withRegistry.onFinished(job).toCompletableFuture().get(60, TimeUnit.SECONDS);

            String logs = LocalHostExecutorTest.output(withRegistry, job, LogStream.STDOUT)
                    + LocalHostExecutorTest.output(withRegistry, job, LogStream.STDERR);
            assertThat(exitCode(state)).as(logs).isZero();
            assertThat(authorizations).contains("Basic " + Base64.getEncoder()
                    .encodeToString("robot:pa$$ 'word".getBytes(StandardCharsets.UTF_8)));
            assertThat(logs).isEqualTo("in\n").doesNotContain("word");
        } finally {
            registry.close();
            podman("rmi", tagged);
        }
    }

    @Test
    void aFailedLogInFailsTheJobNamingTheRegistry() throws Exception {
        JobHandle job = host.start(JobLaunch.of("bad-login", List.of("echo never")).withImage("127.0.0.1:9/x:y")
                .withContainer(new ContainerOptions(null, null, null, false, null, List.of(),
                        new ContainerOptions.RegistryLogin("robot", "secret-pw"))));

        assertThat(exitCode(run(job))).isEqualTo(1);
        String stderr = LocalHostExecutorTest.output(host, job, LogStream.STDERR);
        assertThat(stderr).contains("registry_auth: cannot log in to 127.0.0.1:9 as robot").doesNotContain("secret-pw");
        assertThat(stdout(job)).isEmpty();
    }

    @Test
    void aShellOpenedInTheJobRunsInsideItsContainer() throws Exception {
        JobHandle job = host.start(JobLaunch.of("attach", List.of("echo ready", "sleep 300")).withImage(image)
                .withWorkingDir("src").withEnv(Map.of("GREETING", "hi from the job")));
        await().atMost(Duration.ofSeconds(30)).until(() -> stdout(job).equals("ready\n"));
        LocalJobShells shells = new LocalJobShells(root);

        Process shell = shells.open(job, ai.dstack.spi.host.ShellRequest.exec(
                "pwd; echo \"$GREETING\"; grep -c bookworm /etc/os-release; exit 4"));

        assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output.lines().toList()).containsExactly("/workflow/src", "hi from the job", "3");
        assertThat(shell.exitValue()).isEqualTo(4);
        host.kill(job);
        run(job);
    }

    /**
     * The registry API's log-in check (GET /v2/: 401 with a Basic challenge, 200 with the right credentials) over
     * plain HTTP. A TLS hello (the CLI tries HTTPS first) is refused at once, as a real HTTP server's 400 would.
     */
    static final class FakeRegistry implements AutoCloseable {
        private final java.net.ServerSocket server;

        FakeRegistry(String expected, List<String> authorizations) throws IOException {
            server = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try (java.net.Socket socket = server.accept()) {
                        java.io.InputStream in = socket.getInputStream();
                        if (in.read() != 'G') {
                            continue; // a TLS hello: close
                        }
                        java.io.BufferedReader reader = new java.io.BufferedReader(
                                new java.io.InputStreamReader(in, StandardCharsets.ISO_8859_1));
                        String auth = "none";
                        for (String line = reader.readLine(); line != null && !line.isEmpty(); line = reader.readLine()) {
                            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("authorization:")) {
                                auth = line.substring("authorization:".length()).strip();
                            }
                        }
                        authorizations.add(auth);
                        boolean ok = expected.equals(auth);
                        String reply = "HTTP/1.1 " + (ok ? "200 OK" : "401 Unauthorized") + "\r\n"
                                + (ok ? "" : "WWW-Authenticate: Basic realm=\"test\"\r\n")
                                + "Docker-Distribution-API-Version: registry/2.0\r\nContent-Length: 0\r\n"
                                + "Connection: close\r\n\r\n";
                        socket.getOutputStream().write(reply.getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        // closed, or a client gone: next connection
                    }
                }
            }, "fake-registry");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    static boolean containerExists(String name) throws IOException, InterruptedException {
        return podman("container", "exists", name) == 0;
    }

    static int podman(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        process.waitFor(60, TimeUnit.SECONDS);
        return process.exitValue();
    }
}
