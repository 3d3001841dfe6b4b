package ai.dstack.spi.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellJobProtocolTest {

    @Test
    void commandsAreJoinedWithAndLikeDstack() {
        assertThat(ShellJobProtocol.joinCommands(List.of("  pip install x ", "python serve.py &", "python client.py")))
                .isEqualTo("pip install x && { python serve.py & } && python client.py");
    }

    @Test
    void quotedTextSurvivesBashUnchanged() throws Exception {
        String tricky = "it's \"quoted\" $HOME `date` \\ \n second line; exit 7";
        assertThat(bashEcho(ShellJobProtocol.shellQuote(tricky))).isEqualTo(tricky);
    }

    private static String bashEcho(String word) throws IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-c", "printf %s " + word).start();
        assertThat(bash.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void logRecordsBecomeLinesWithStreamTimestampAndLineEnd() {
        byte[] log = ("1700000000001 O hello\n"
                + "1700000000002 E oops: it failed\n"
                + "1700000000003 o 50%\r\n"
                + "1700000000004 O \n"
                + "1700000000005 e no newline at EOF\n").getBytes(StandardCharsets.UTF_8);

        ShellJobProtocol.ParsedLog parsed = ShellJobProtocol.parseLog(log, log.length, 100);

        assertThat(parsed.consumedBytes()).isEqualTo(log.length);
        assertThat(parsed.lines()).containsExactly(
                new LogLine(Instant.ofEpochMilli(1700000000001L), LogStream.STDOUT, "hello", true),
                new LogLine(Instant.ofEpochMilli(1700000000002L), LogStream.STDERR, "oops: it failed", true),
                new LogLine(Instant.ofEpochMilli(1700000000003L), LogStream.STDOUT, "50%\r", false),
                new LogLine(Instant.ofEpochMilli(1700000000004L), LogStream.STDOUT, "", true),
                new LogLine(Instant.ofEpochMilli(1700000000005L), LogStream.STDERR, "no newline at EOF", false));
    }

    @Test
    void recordStillBeingWrittenIsLeftForTheNextRead() {
        byte[] log = "1700000000001 O done\n1700000000002 O half-writ".getBytes(StandardCharsets.UTF_8);

        ShellJobProtocol.ParsedLog parsed = ShellJobProtocol.parseLog(log, log.length, 100);

        assertThat(parsed.lines()).extracting(LogLine::text).containsExactly("done");
        assertThat(parsed.consumedBytes()).isEqualTo("1700000000001 O done\n".length());
    }

    @Test
    void maxLinesLimitsOneRead() {
        byte[] log = "1 O a\n2 O b\n3 O c\n".getBytes(StandardCharsets.UTF_8);

        ShellJobProtocol.ParsedLog parsed = ShellJobProtocol.parseLog(log, log.length, 2);

        assertThat(parsed.lines()).extracting(LogLine::text).containsExactly("a", "b");
        assertThat(parsed.consumedBytes()).isEqualTo(12);
    }

    @Test
    void malformedRecordIsKeptAsStdoutText() {
        byte[] log = "1700000000001 O a\ngarbage without header\n".getBytes(StandardCharsets.UTF_8);

        List<LogLine> lines = ShellJobProtocol.parseLog(log, log.length, 100).lines();

        assertThat(lines.get(1)).isEqualTo(new LogLine(Instant.ofEpochMilli(1700000000001L), LogStream.STDOUT,
                "garbage without header", true));
    }

    @Test
    void multibyteTextIsDecodedAsUtf8() {
        byte[] log = "1 E ошибка — 失败\n".getBytes(StandardCharsets.UTF_8);

        assertThat(ShellJobProtocol.parseLog(log, log.length, 1).lines().get(0).text()).isEqualTo("ошибка — 失败");
    }

    @Test
    void pidAndExitFiles() {
        assertThat(ShellJobProtocol.parsePid("4242 98765 4250\n"))
                .isEqualTo(new ShellJobProtocol.PidRecord(4242, 98765, 4250));
        assertThat(ShellJobProtocol.parseExit("137 1700000000123\n"))
                .isEqualTo(new HostJobState.Exited(137, Instant.ofEpochMilli(1700000000123L)));
        assertThatThrownBy(() -> ShellJobProtocol.parseExit("oops"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exit file 'oops'");
    }

    @Test
    void jobScriptExportsQuotedEnvironmentAndRunsTheJoinedCommands() {
        JobLaunch launch = JobLaunch.of("job-1", List.of("echo a", "echo b"))
                .withEnv(java.util.Map.of("B", "it's", "A", "1"))
                .withShell("sh")
                .withWorkingDir("src/");

        assertThat(ShellJobProtocol.jobScript(launch)).contains(
                "export A='1'\nexport B='it'\\''s'\n",
                "cd 'workdir/src'",
                "exec '/bin/sh' -c 'echo a && echo b'\n");
    }

    @Test
    void jobScriptForAnImageRunsTheCommandsInANamedContainer() {
        JobLaunch launch = JobLaunch.of("job-1", List.of("nvidia-smi")).withImage("dstackai/base:py3.12")
                .withEnv(java.util.Map.of("DSTACK_RUN_NAME", "train"));

        assertThat(ShellJobProtocol.jobScript(launch)).contains(
                "__dstack_run=('docker' --config \"$__dstack_job_dir/.docker\" run --rm --init --name 'dstack-job-job-1'"
                        + " --network host -v \"$__dstack_job_dir/workdir\"':/workflow' -w '/workflow'"
                        + " -e 'DSTACK_WORKING_DIR=/workflow' -e DSTACK_RUN_NAME)\n",
                // The last line: pull the image when the runtime lacks it (marked as pulling), then run.
                "\nif ! 'docker' --config \"$__dstack_job_dir/.docker\" image inspect 'dstackai/base:py3.12' >/dev/null"
                        + " 2>&1; then : >\"$__dstack_job_dir/pulling\"; 'docker' --config \"$__dstack_job_dir/.docker\""
                        + " pull 'dstackai/base:py3.12' >&2 || {",
                "; rm -f \"$__dstack_job_dir/pulling\"; exec \"${__dstack_run[@]}\" 'dstackai/base:py3.12' '/bin/bash'"
                        + " -c 'nvidia-smi'\n");
    }

    @Test
    void scriptsAreBundled() {
        assertThat(ShellJobProtocol.wrapperScript()).contains("setsid bash job.sh");
        assertThat(ShellJobProtocol.launcherScript()).contains("setsid bash");
        assertThat(ShellJobProtocol.signalScript()).contains("kill");
        assertThat(ShellJobProtocol.spawnerScript()).contains("dstack-job-spawner 1");
    }

    @Test
    void jobScriptMakesAMissingWorkingDirectory(@TempDir Path jobDir) throws Exception {
        JobLaunch launch = JobLaunch.of("job-1", List.of("printf %s \"$DSTACK_WORKING_DIR\"")).withWorkingDir("src/deep");
        Files.writeString(jobDir.resolve(ShellJobProtocol.JOB_SCRIPT), ShellJobProtocol.jobScript(launch));

        Process bash = new ProcessBuilder("bash", ShellJobProtocol.JOB_SCRIPT).directory(jobDir.toFile()).start();

        assertThat(bash.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo(jobDir.toRealPath().resolve("workdir/src/deep").toString());
        assertThat(bash.exitValue()).isZero();
    }
}
