package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogLine;
import ai.dstack.spi.host.LogStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bash logger that hosts without perl (or its Time::HiRes) use, forced with {@code DSTACK_JOB_LOGGER=bash}. */
class BashLoggerTest {
    @TempDir Path root;
    LocalHostExecutor host;

    @BeforeEach
    void createExecutor() {
        Map<String, String> environment = new HashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        environment.put("DSTACK_JOB_LOGGER", "bash");
        host = new LocalHostExecutor(root, environment);
    }

    @AfterEach
    void closeExecutor() {
        LocalHostExecutorTest.awaitWrappersGone(host);
        host.close();
    }

    HostJobState run(String... commands) throws Exception {
        JobHandle job = host.start(JobLaunch.of("job", List.of(commands)));
        return LocalHostExecutorTest.awaitFinished(host, job);
    }

    List<LogLine> logs() {
        return LocalHostExecutorTest.allLogs(host, new JobHandle("job"));
    }

    @Test
    void linesOfBothStreamsWithTheExitCode() throws Exception {
        HostJobState status = run("for i in 1 2 3; do echo out-$i; echo err-$i >&2; done", "exit 6");

        assertThat(status).isInstanceOfSatisfying(HostJobState.Exited.class, e -> assertThat(e.exitCode()).isEqualTo(6));
        assertThat(logs().stream().filter(l -> l.stream() == LogStream.STDOUT).map(LogLine::text))
                .containsExactly("out-1", "out-2", "out-3");
        assertThat(logs().stream().filter(l -> l.stream() == LogStream.STDERR).map(LogLine::text))
                .containsExactly("err-1", "err-2", "err-3");
    }

    @Test
    void unfinishedLineShowsUpAndTheLastLineNeedsNoNewline() throws Exception {
        JobHandle job = host.start(JobLaunch.of("job", List.of("printf 'step 1'", LocalHostExecutorTest.WAIT_FOR_GO,
                "printf ' done\\nlast'")));
        await().atMost(Duration.ofSeconds(20)).until(() -> !logs().isEmpty());
        Files.createFile(host.jobDirectory(job).resolve("workdir/go"));
        LocalHostExecutorTest.awaitFinished(host, job);

        assertThat(logs()).extracting(LogLine::text, LogLine::endsLine)
                .containsExactly(tuple("step 1", false), tuple(" done", true), tuple("last", false));
    }

    @Test
    void longLinesJoinBackExactly() throws Exception {
        String longLine = "ü".repeat(1200) + "y".repeat(900);

        run("printf '%s\\n' '" + longLine + "'");

        assertThat(logs()).hasSizeGreaterThan(1); // the bash logger cuts at 1000 characters, perl's at 4000 bytes
        assertThat(logs().stream().map(LogLine::rawText).reduce("", String::concat)).isEqualTo(longLine + "\n");
    }
}
