package ai.dstack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.cli.BinDstackIT.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/dstack server} and the commands that talk to it, each in a process of its own, as a user runs them. A
 * class apart from {@link BinDstackIT}, so that the two run side by side: each of these starts a server JVM.
 */
class BinDstackServerIT {
    /**
     * perl's program that restores SIGINT's default disposition, then execs its arguments: a JVM whose parent ignored
     * SIGINT (a build started in the background does) inherits that and never sees Ctrl-C, unlike at a terminal.
     */
    private static final String RESTORE_SIGINT = "$SIG{INT} = \"DEFAULT\"; exec @ARGV or die $!";
    private static Path launcher;

    @TempDir
    Path dir;

    @BeforeAll
    static void findTheBuild() {
        launcher = Path.of(System.getProperty("dstack.launcher", "../bin/dstack")).toAbsolutePath().normalize();
        assertThat(launcher).as("the launcher").isExecutable();
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
            writeLongTask("long-task");
            Path out = dir.resolve("apply-out.txt");
            Path err = dir.resolve("apply-err.txt");
            ProcessBuilder apply = new ProcessBuilder("perl", "-e", RESTORE_SIGINT, launcher.toString(), "apply", "-f",
                    "long.yml", "-y")
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
    void ctrlCAtATerminalAsksWhetherToStopTheRunAndStopsIt() throws Exception {
        Server server = startServer();
        Map<String, String> env = server.env();
        try {
            writeLongTask("asked-task");
            Path out = dir.resolve("apply-out.txt");
            // A real terminal: `script` runs apply on a pseudo-terminal, and the ^C typed into it is turned into
            // SIGINT by the terminal itself, as when a person presses Ctrl-C. Every step execs: it is one process.
            String command = "exec perl -e '" + RESTORE_SIGINT + "' " + launcher + " apply -f long.yml";
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

    /** A task that prints {@code started-and-waiting}, then sleeps for ten minutes, as {@code long.yml}. */
    private void writeLongTask(String name) throws IOException {
        Files.writeString(dir.resolve("long.yml"), "type: task\nname: " + name + "\nresources:\n  cpu: 0..\n"
                + "  memory: 0GB..\n  disk: 0GB..\ncommands:\n  - echo started-and-waiting\n  - sleep 600\n");
    }

    /** Waits until the terminal shows {@code text}; fails with what it showed when the command ended first. */
    private static void awaitPrompt(Process attached, Path out, String text, int seconds) throws IOException {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(seconds))
                .until(() -> !attached.isAlive() || Files.readString(out).contains(text));
        assertThat(Files.readString(out)).as("the terminal (command %s) while waiting for %s",
                attached.isAlive() ? "running" : "ended with " + attached.exitValue(), text).contains(text);
    }

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
                // C1 only and the serial collector, as the test JVMs: this server lives a minute, not days.
                "JAVA_OPTS", "-Duser.home=" + home + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        Path serverOut = dir.resolve("server-out.txt");
        Path serverErr = dir.resolve("server-err.txt");
        Process server = start(new ProcessBuilder(launcher.toString(), "server", "--port", String.valueOf(port))
                .directory(dir.toFile()).redirectOutput(serverOut.toFile()).redirectError(serverErr.toFile()), env);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(90))
                .until(() -> !server.isAlive() || Files.readString(serverOut).contains("The server is running at"));
        assertThat(server.isAlive()).as("the server: %s", Files.readString(serverErr)).isTrue();
        return new Server(server, env);
    }

    private static Process start(ProcessBuilder builder, Map<String, String> env) throws IOException {
        return BinDstackIT.start(builder, env);
    }

    private Result run(Path program, Map<String, String> env, String... args) throws IOException, InterruptedException {
        return BinDstackIT.run(dir, program, env, args);
    }
}
