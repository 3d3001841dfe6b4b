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

    record Result(int exitCode, String out, String err) {}

    /** Starts {@code builder} with this build's Java and {@code env}, never a jar named by the caller's environment. */
    static Process start(ProcessBuilder builder, Map<String, String> env) throws IOException {
        builder.environment().remove("DSTACK_JAR");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(env);
        return builder.start();
    }

    private Result run(Path program, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return run(dir, program, env, args);
    }

    /** Runs {@code program args} in {@code dir} and waits for it; output goes through files, so no pipe can fill. */
    static Result run(Path dir, Path program, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
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
