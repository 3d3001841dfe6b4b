package ai.dstack.maven;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.core.DstackEngine;
import ai.dstack.server.DstackServer;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugin.logging.SystemStreamLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each goal run in this JVM as Maven would run it (parameters set, then execute), against a real server on
 * loopback; MavenPluginIT runs the plugin in real Maven builds.
 */
class MojoGoalsTest {
    @TempDir
    static Path dir;
    static DstackServer server;

    @BeforeAll
    static void start() {
        server = DstackServer.builder()
                .engine(DstackEngine.builder().serverDirectory(dir.resolve("server")).localBlocks(4)
                        .sweepInterval(Duration.ofMillis(200)))
                .port(0).build().start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The build log, as lines. */
    static final class CapturedLog extends SystemStreamLog {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void info(CharSequence content) {
            lines.add("[INFO] " + content);
        }

        @Override
        public void error(CharSequence content) {
            lines.add("[ERROR] " + content);
        }
    }

    private static <M extends AbstractDstackMojo> M connected(M mojo, CapturedLog log) {
        mojo.url = server.url();
        mojo.token = server.engine().adminToken();
        mojo.setLog(log);
        return mojo;
    }

    @Test
    void validatePassesAValidProjectAndSkipSkips() throws Exception {
        Path project = Files.createDirectories(dir.resolve("valid"));
        Files.writeString(project.resolve(".dstack.yml"), "type: task\ncommands: [echo hi]\n");
        Files.writeString(Files.createDirectories(project.resolve("target")).resolve("bad.dstack.yml"), "nonsense: 1\n");
        CapturedLog log = new CapturedLog();
        ValidateMojo validate = new ValidateMojo();
        validate.basedir = project.toFile();
        validate.setLog(log);
        validate.execute();
        assertThat(log.lines).containsExactly("[INFO] dstack: 1 configuration valid");

        Files.writeString(project.resolve("bad.dstack.yml"), "type: task\n");
        validate.skip = true;
        validate.execute();
        assertThat(log.lines).contains("[INFO] dstack: skipped (dstack.skip)");
        validate.skip = false;
        assertThatThrownBy(validate::execute).isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("bad.dstack.yml");
    }

    @Test
    void aFailingTaskFailsTheGoalWithItsExitStatusAfterShowingItsOutput() throws Exception {
        Path file = Files.writeString(dir.resolve("fail.dstack.yml"),
                "type: task\nname: mojo-fail\ncommands:\n  - echo this task fails\n  - exit 7\n");
        CapturedLog log = new CapturedLog();
        ApplyMojo apply = connected(new ApplyMojo(), log);
        apply.basedir = dir.toFile();
        apply.file = file.toFile();
        assertThatThrownBy(apply::execute).isInstanceOf(MojoFailureException.class)
                .hasMessageContaining("Run mojo-fail ended failed").hasMessageContaining("exit status 7");
        assertThat(log.lines).contains("[INFO] this task fails");
    }

    @Test
    void detachPsLogsStopAndOfferWorkOnOneRun() throws Exception {
        Path file = Files.writeString(dir.resolve("long.dstack.yml"),
                "type: task\nname: mojo-long\ncommands:\n  - echo started\n  - sleep 600\n");
        CapturedLog log = new CapturedLog();
        ApplyMojo apply = connected(new ApplyMojo(), log);
        apply.basedir = dir.toFile();
        apply.file = file.toFile();
        apply.detach = true;
        apply.execute();
        assertThat(log.lines).contains("[INFO] Submitted mojo-long to project main");

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        LogsMojo logs = connected(new LogsMojo(), log);
        logs.runName = "mojo-long";
        while (!log.lines.contains("[INFO] started") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            logs.execute();
        }
        assertThat(log.lines).contains("[INFO] started");

        connected(new PsMojo(), log).execute();
        assertThat(log.lines).anyMatch(line -> line.matches("\\[INFO] mojo-long +running .*"));

        StopMojo stop = connected(new StopMojo(), log);
        stop.runNames = List.of("mojo-long");
        stop.abort = true;
        stop.execute();
        assertThat(log.lines).contains("[INFO] Aborted mojo-long");

        OfferMojo offer = connected(new OfferMojo(), log);
        offer.basedir = dir.toFile();
        offer.maxOffers = 1;
        offer.execute();
        assertThat(log.lines).anyMatch(line -> line.matches("\\[INFO] +1 +remote +remote .*"));
    }

    @Test
    void aGoalWithoutItsRunOrTokenSaysWhatToSet() {
        LogsMojo logs = connected(new LogsMojo(), new CapturedLog());
        assertThatThrownBy(logs::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("dstack.runName");
        PsMojo ps = new PsMojo();
        ps.url = server.url();
        ps.setLog(new CapturedLog());
        assertThatThrownBy(ps::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("token is not");
        ApplyMojo apply = new ApplyMojo();
        apply.basedir = dir.toFile();
        apply.file = new File(dir.toFile(), ".dstack.yml");
        apply.dataDirectory = new File(dir.toFile(), "data");
        apply.url = server.url();
        assertThatThrownBy(apply::execute).isInstanceOf(MojoFailureException.class).hasMessageContaining("not both");
    }
}
