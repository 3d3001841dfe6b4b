package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.yaml.Corpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user runs it: {@code bin/dstack} in a separate process, on the shaded jar that {@code package}
 * built. Runs in {@code verify} (maven-failsafe-plugin), after the jar exists.
 */
class BinDstackIT {
    private static Path launcher;
    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void findTheBuild() {
        launcher = Path.of(System.getProperty("dstack.launcher", "../bin/dstack")).toAbsolutePath().normalize();
        jar = Path.of(System.getProperty("dstack.jar", "target/missing-all.jar")).toAbsolutePath().normalize();
        assertThat(launcher).as("the launcher").isExecutable();
        assertThat(jar).as("the shaded jar, built by package").isRegularFile();
    }

    @Test
    void validatesFilesFromAnyDirectoryThroughASymlink() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("dstack"), launcher);
        Files.copy(Corpus.file("crafted-cpu-mem-disk"), dir.resolve("good.dstack.yml"));
        Files.copy(Corpus.file("crafted-neg-gpu-garbage"), dir.resolve("bad.dstack.yml"));

        Result result = run(link, Map.of(), "validate", "good.dstack.yml", "bad.dstack.yml");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out().lines()).hasSize(2);
        assertThat(result.out().lines().toList().get(0)).isEqualTo("good.dstack.yml: OK");
        assertThat(result.out().lines().toList().get(1)).startsWith("bad.dstack.yml:4:8: task.resources.gpu: ");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void missingFileIsAUsageErrorWithoutAStackTrace() throws Exception {
        Result result = run(launcher, Map.of(), "validate", "x.yml");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEqualTo("Error: cannot read x.yml: no such file\n");
    }

    @Test
    void javaOptsReachTheJvm() throws Exception {
        // picocli.ansi=true forces colour although stderr is not a terminal: visible proof the option arrived.
        Result result = run(launcher, Map.of("JAVA_OPTS", "-Xmx64m -Dpicocli.ansi=true"), "validate", "x.yml");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).contains("\u001B[").contains("cannot read x.yml: no such file");
    }

    @Test
    void startsFromTheClassDataArchiveTheBuildWroteNextToTheJar() throws Exception {
        Path archive = jar.resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", ".jsa"));
        assertThat(archive).as("the CDS archive package writes beside the jar").isRegularFile();
        Path fast = dir.resolve("fast.log");
        Path plain = dir.resolve("plain.log");

        Result withArchive = run(launcher, Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + fast), "--version");
        Result without = run(launcher, Map.of("JAVA_OPTS", "-Xlog:class+load=info:file=" + plain,
                "DSTACK_CLI_FAST_START", "0"), "--version");

        assertThat(withArchive.exitCode()).as(withArchive.toString()).isZero();
        assertThat(withArchive.out()).startsWith("dstack ").isEqualTo(without.out());
        assertThat(withArchive.err()).isEmpty();
        assertThat(Files.readString(fast)).contains("ai.dstack.cli.Main source: shared objects file");
        assertThat(Files.readString(plain)).doesNotContain("ai.dstack.cli.Main source: shared objects file")
                .contains("ai.dstack.cli.Main source: file:");
    }

    @Test
    void anArchiveThatDoesNotMatchTheJarIsIgnoredSilently() throws Exception {
        Path otherJar = Files.createSymbolicLink(dir.resolve("dstack-cli-other-all.jar"), jar);
        Files.writeString(dir.resolve("dstack-cli-other-all.jsa"), "not an archive"); // newer than the jar
        Path log = dir.resolve("classes.log");

        Result result = run(launcher, Map.of("DSTACK_JAR", otherJar.toString(),
                "JAVA_OPTS", "-Xlog:class+load=info:file=" + log), "--version");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).startsWith("dstack ");
        assertThat(result.err()).isEmpty();
        assertThat(Files.readString(log)).contains("ai.dstack.cli.Main source: file:");
    }

    @Test
    void withoutTheJarTheLauncherSaysHowToBuildIt() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("checkout/bin"));
        Path copy = Files.copy(launcher, bin.resolve("dstack"));

        Result result = run(copy, Map.of(), "--version");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .contains("not built yet")
                .contains("./mvnw -B -ntp -DskipTests package")
                .contains(dir.resolve("checkout").toRealPath().toString());
    }

    @Test
    void theClientJarHoldsNoServerEngineStorageOrCloudClasses() throws Exception {
        Path client = clientJar();
        try (JarFile shaded = new JarFile(client.toFile())) {
            List<String> names = shaded.stream().map(entry -> entry.getName()).toList();
            assertThat(names).contains("ai/dstack/cli/Main.class", "ai/dstack/client/RemoteDstackClient.class",
                    "picocli/CommandLine.class", "okhttp3/OkHttpClient.class", "org/apache/sshd/client/SshClient.class");
            assertThat(names).noneMatch(name -> name.startsWith("ai/dstack/server/") || name.startsWith("ai/dstack/core/")
                    || name.startsWith("ai/dstack/storage/") || name.startsWith("ai/dstack/backend/")
                    || name.startsWith("software/amazon/") || name.startsWith("com/google/cloud/")
                    || name.startsWith("com/azure/") || name.startsWith("org/eclipse/jetty/")
                    || name.startsWith("io/javalin/") || name.startsWith("org/sqlite/") || name.startsWith("org/postgresql/"));
            assertThat(shaded.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(Main.class.getName());
        }
        assertThat(Files.size(client)).as("the client jar's size").isLessThan(Files.size(jar) / 4);
    }

    @Test
    void everyCommandButServerStartsFromTheClientJar() throws Exception {
        Path log = dir.resolve("classes.log");
        // -Xshare:off (last, so it wins) makes the log name the jar every class came from.
        Result result = run(launcher, Map.of("JAVA_OPTS", "-Xshare:off -Xlog:class+load=info:file=" + log), "--help");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("server").contains("apply").contains("ps");
        assertThat(Files.readString(log)).contains("ai.dstack.cli.Main source: file:" + clientJar())
                .doesNotContain("-all.jar");

        Result old = run(launcher, Map.of("JAVA_OPTS", "-Xshare:off -Xlog:class+load=info:file=" + log,
                "DSTACK_CLI_FAST_START", "0"), "--help");
        assertThat(old.out()).isEqualTo(result.out());
        assertThat(Files.readString(log)).contains("ai.dstack.cli.Main source: file:" + jar);
    }

    @Test
    void theClientJarShowsTheServerCommandsButSendsThemToTheFullJar() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");

        Result help = run(java, Map.of(), "-jar", clientJar().toString(), "server", "--help");
        Result migrate = run(java, Map.of(), "-jar", clientJar().toString(), "server", "migrate-db", "--schema-only",
                "--to", "postgresql://127.0.0.1:9/none");

        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.out()).contains("--port").contains("re-encrypt").contains("migrate-db");
        assertThat(migrate.exitCode()).as(migrate.toString()).isEqualTo(1);
        assertThat(migrate.err()).startsWith("Error: this command needs the full dstack jar").doesNotContain("\tat ");
    }

    private static Path clientJar() {
        Path client = Path.of(System.getProperty("dstack.client.jar", "target/missing-client.jar")).toAbsolutePath()
                .normalize();
        assertThat(client).as("the client-only jar, built by package").isRegularFile();
        return client;
    }

    @Test
    void shadedJarRunsOnItsOwnWithMergedServiceFiles() throws Exception {
        try (JarFile shaded = new JarFile(jar.toFile())) {
            Manifest manifest = shaded.getManifest();
            assertThat(manifest.getMainAttributes().getValue("Main-Class")).isEqualTo(Main.class.getName());
            assertThat(shaded.stream().map(entry -> entry.getName()))
                    .noneMatch(name -> name.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
            // jackson-core and jackson-dataformat-yaml both ship this file: both lines must survive.
            String factories = new String(
                    shaded.getInputStream(shaded.getEntry("META-INF/services/com.fasterxml.jackson.core.JsonFactory"))
                            .readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(factories.lines().map(String::strip))
                    .contains("com.fasterxml.jackson.core.JsonFactory",
                            "com.fasterxml.jackson.dataformat.yaml.YAMLFactory");
        }

        Result result = run(Path.of(System.getProperty("java.home"), "bin", "java"), Map.of(),
                "-jar", jar.toString(), "--version");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).startsWith("dstack ");
    }

    @Test
    void serverAndApplyAsSeparateProcessesRunATaskEndToEnd() throws Exception {
        Server server = startServer();
        Map<String, String> env = server.env();
        try {
            Path config = dir.resolve("server").resolve("config.yml");
            assertThat(Files.readString(dir.resolve("server-err.txt")))
                    .contains("Initialized the default configuration at " + config);
            assertThat(Files.readString(config)).contains("- name: main");
            Files.writeString(dir.resolve("task.yml"), "type: task\nname: it-task\nresources:\n  cpu: 0..\n"
                    + "  memory: 0GB..\n  disk: 0GB..\ncommands:\n  - echo hello-from-a-process\n  - exit 7\n");

            Result apply = run(launcher, env, "apply", "-f", "task.yml", "-y");

            assertThat(apply.exitCode()).as(apply.toString()).isEqualTo(7);
            assertThat(apply.out()).contains("Submitted it-task", "hello-from-a-process");
            assertThat(apply.err()).contains("it-task failed (exit status 7)");
        } finally {
            server.stop();
        }
        assertThat(server.process().exitValue()).isEqualTo(143);
    }

    @Test
    void ctrlCDetachesFromAnAttachedApplyAndTheRunGoesOn() throws Exception {
        Server server = startServer();
        Map<String, String> env = server.env();
        try {
            Files.writeString(dir.resolve("long.yml"), "type: task\nname: long-task\nresources:\n  cpu: 0..\n"
                    + "  memory: 0GB..\n  disk: 0GB..\ncommands:\n  - echo started-and-waiting\n  - sleep 600\n");
            Path out = dir.resolve("apply-out.txt");
            Path err = dir.resolve("apply-err.txt");
            // A JVM whose parent ignored SIGINT (a build started in the background does) inherits that and never
            // sees Ctrl-C; perl restores the default disposition before it execs the launcher, as a terminal has it.
            ProcessBuilder apply = new ProcessBuilder("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die $!",
                    launcher.toString(), "apply", "-f", "long.yml", "-y")
                    .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            Process attached = start(apply, env);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90))
                    .until(() -> !attached.isAlive() || Files.readString(out).contains("started-and-waiting"));
            assertThat(attached.isAlive()).as("apply: %s %s", Files.readString(out), Files.readString(err)).isTrue();

            // perl and the launcher exec, so this is the JVM's pid: SIGINT is what Ctrl-C sends.
            Process interrupt = new ProcessBuilder("kill", "-INT", String.valueOf(attached.pid())).start();
            assertThat(interrupt.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(attached.waitFor(60, TimeUnit.SECONDS)).as("apply ends on SIGINT").isTrue();

            assertThat(attached.exitValue()).isEqualTo(130);
            assertThat(Files.readString(err)).contains("Detached from long-task. The run goes on: reattach with"
                    + " `dstack attach long-task`");
            Result ps = run(launcher, env, "ps");
            assertThat(ps.out()).as(ps.toString()).containsPattern("long-task .*running");
            Result stop = run(launcher, env, "stop", "long-task", "-y");
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
        } finally {
            server.stop();
        }
    }

    @Test
    void theServerDemoRefusesAPortInUseInsteadOfUsingTheOtherServer() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Path demo = launcher.getParent().getParent().resolve("examples/server-demo.sh");
            Path home = Files.createDirectories(dir.resolve("home"));

            Result result = run(demo, Map.of("HOME", home.toString(), "DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                    "DSTACK_SERVER_PORT", String.valueOf(taken.getLocalPort())));

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
            assertThat(result.err()).startsWith("Error: port " + taken.getLocalPort() + " is in use");
            assertThat(dir.resolve("server")).as("no server was started").doesNotExist();
        }
    }

    @Test
    void ctrlCAtATerminalAsksWhetherToStopTheRunAndStopsIt() throws Exception {
        Server server = startServer();
        Map<String, String> env = server.env();
        try {
            Files.writeString(dir.resolve("long.yml"), "type: task\nname: asked-task\nresources:\n  cpu: 0..\n"
                    + "  memory: 0GB..\n  disk: 0GB..\ncommands:\n  - echo started-and-waiting\n  - sleep 600\n");
            Path out = dir.resolve("apply-out.txt");
            // A real terminal: `script` runs apply on a pseudo-terminal, and the ^C typed into it is turned into
            // SIGINT by the terminal itself, as when a person presses Ctrl-C. perl restores SIGINT's default
            // disposition (a build started in the background ignores it) and every step execs, so it is one process.
            String command = "exec perl -e '$SIG{INT} = \"DEFAULT\"; exec @ARGV or die $!' " + launcher
                    + " apply -f long.yml";
            ProcessBuilder apply = new ProcessBuilder("script", "-qfec", command, "/dev/null")
                    .directory(dir.toFile()).redirectOutput(out.toFile()).redirectErrorStream(true);
            Process attached = start(apply, env);
            java.io.OutputStream keyboard = attached.getOutputStream();
            awaitPrompt(attached, out, "Submit the run asked-task? [y/n]", 90);
            keyboard.write("y\r".getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            awaitPrompt(attached, out, "started-and-waiting\r\n", 90);
            assertThat(attached.isAlive()).as("apply: %s", Files.readString(out)).isTrue();

            keyboard.write(3); // Ctrl-C
            keyboard.flush();
            awaitPrompt(attached, out, "Stop the run asked-task before detaching? [y/n]: ", 30);
            keyboard.write("y\r".getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
            assertThat(attached.waitFor(90, TimeUnit.SECONDS)).as("apply ends: %s", Files.readString(out)).isTrue();

            assertThat(Files.readString(out)).contains("Stopping...", "Stopped").doesNotContain("Detached from");
            Result ps = run(launcher, env, "ps", "-a");
            assertThat(ps.out()).as(ps.toString()).containsPattern("asked-task .*stopped");
        } finally {
            server.stop();
        }
    }

    /** Waits until the terminal shows {@code text}; fails with what it showed when the command ended first. */
    private static void awaitPrompt(Process attached, Path out, String text, int seconds) throws IOException {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(seconds))
                .until(() -> !attached.isAlive() || Files.readString(out).contains(text));
        assertThat(Files.readString(out)).as("the terminal (command %s) while waiting for %s",
                attached.isAlive() ? "running" : "ended with " + attached.exitValue(), text).contains(text);
    }

    record Result(int exitCode, String out, String err) {}

    /** {@code bin/dstack server} on a free port, as its own process, with a home and server directory in the temp dir. */
    record Server(Process process, Map<String, String> env) {
        /** SIGTERM, as a service manager stops it: the shutdown hook closes the server and the engine. */
        void stop() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the server stops on SIGTERM").isTrue();
        }
    }

    private Server startServer() throws IOException {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path home = Files.createDirectories(dir.resolve("home"));
        Map<String, String> env = Map.of("HOME", home.toString(), "DSTACK_SERVER_DIR", dir.resolve("server").toString(),
                "JAVA_OPTS", "-Duser.home=" + home);
        Path serverOut = dir.resolve("server-out.txt");
        Path serverErr = dir.resolve("server-err.txt");
        Process server = start(new ProcessBuilder(launcher.toString(), "server", "--port", String.valueOf(port))
                .directory(dir.toFile()).redirectOutput(serverOut.toFile()).redirectError(serverErr.toFile()), env);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90))
                .until(() -> !server.isAlive() || Files.readString(serverOut).contains("The server is running at"));
        assertThat(server.isAlive()).as("the server: %s", Files.readString(serverErr)).isTrue();
        return new Server(server, env);
    }

    /** Starts {@code builder} with this build's Java and {@code env}, never a jar named by the caller's environment. */
    private static Process start(ProcessBuilder builder, Map<String, String> env) throws IOException {
        builder.environment().remove("DSTACK_JAR");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        return builder.start();
    }

    /** Runs {@code program args} in the temp dir and waits for it; output goes through files, so no pipe can fill. */
    private Result run(Path program, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().remove("DSTACK_JAR");
        builder.environment().remove("JAVA_OPTS");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish within 2 minutes");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
