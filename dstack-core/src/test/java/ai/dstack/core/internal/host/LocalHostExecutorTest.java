package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.ErrorCode;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogChunk;
import ai.dstack.spi.host.LogLine;
import ai.dstack.spi.host.LogStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalHostExecutorTest {
    /** Commands that wait until the test creates {@code workdir/go}. */
    static final String WAIT_FOR_GO = "while [ ! -e go ]; do sleep 0.02; done";

    @TempDir Path root;
    LocalHostExecutor host;

    @BeforeEach
    void createExecutor() {
        host = new LocalHostExecutor(root);
    }

    @AfterEach
    void killLeftoverJobs() {
        for (JobHandle job : host.jobs()) {
            if (host.status(job) instanceof HostJobState.Running) {
                host.kill(job);
            }
        }
        awaitWrappersGone(host);
        host.close();
    }

    /** Until its wrapper is gone a job may still write in the temporary directory that JUnit deletes next. */
    static void awaitWrappersGone(LocalHostExecutor host) {
        await().atMost(Duration.ofSeconds(30)).until(() -> host.jobs().stream().noneMatch(job -> wrapperAlive(host, job)));
    }

    static boolean wrapperAlive(LocalHostExecutor host, JobHandle job) {
        try {
            String[] pid = Files.readString(host.jobDirectory(job).resolve("pid")).strip().split(" ");
            return ProcStat.isAlive(Long.parseLong(pid[0]), Long.parseLong(pid[1]));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static String newJobId() {
        return "job-" + UUID.randomUUID();
    }

    JobHandle start(String... commands) {
        return host.start(JobLaunch.of(newJobId(), List.of(commands)));
    }

    static HostJobState awaitFinished(LocalHostExecutor executor, JobHandle job) throws Exception {
        return executor.onFinished(job).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static List<LogLine> allLogs(LocalHostExecutor executor, JobHandle job) {
        List<LogLine> lines = new ArrayList<>();
        long offset = 0;
        while (true) {
            LogChunk chunk = executor.readLogs(job, offset, 7); // small pages exercise the offsets
            lines.addAll(chunk.lines());
            if (chunk.nextOffset() == offset) {
                return lines;
            }
            offset = chunk.nextOffset();
        }
    }

    static String output(LocalHostExecutor executor, JobHandle job, LogStream stream) {
        return allLogs(executor, job).stream().filter(line -> line.stream() == stream).map(LogLine::rawText)
                .collect(Collectors.joining());
    }

    void release(JobHandle job) throws IOException {
        Files.createFile(host.jobDirectory(job).resolve("workdir/go"));
    }

    void awaitOutput(JobHandle job, String text) {
        await().atMost(Duration.ofSeconds(20)).until(() -> output(host, job, LogStream.STDOUT).contains(text));
    }

    @Test
    void linesOfBothStreamsAreLoggedInOrderWithTimestampsAndExitCodeZero() throws Exception {
        long before = System.currentTimeMillis();
        JobHandle job = start("for i in 1 2 3 4 5 6 7 8 9 10; do echo out-$i; echo err-$i >&2; done");

        HostJobState status = awaitFinished(host, job);

        assertThat(status).isInstanceOf(HostJobState.Exited.class);
        assertThat(((HostJobState.Exited) status).exitCode()).isZero();
        List<LogLine> lines = allLogs(host, job);
        assertThat(lines.stream().filter(l -> l.stream() == LogStream.STDOUT).map(LogLine::text))
                .containsExactly("out-1", "out-2", "out-3", "out-4", "out-5", "out-6", "out-7", "out-8", "out-9", "out-10");
        assertThat(lines.stream().filter(l -> l.stream() == LogStream.STDERR).map(LogLine::text))
                .containsExactly("err-1", "err-2", "err-3", "err-4", "err-5", "err-6", "err-7", "err-8", "err-9", "err-10");
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.endsLine()).isTrue();
            assertThat(line.timestamp().toEpochMilli()).isBetween(before, ((HostJobState.Exited) status).finishedAt().toEpochMilli());
        });
        assertThat(lines.stream().filter(l -> l.stream() == LogStream.STDOUT).map(l -> l.timestamp()).toList())
                .isSorted();
    }

    @Test
    void exitCodeOfTheFailingCommandIsTheJobs() throws Exception {
        JobHandle job = start("echo before", "exit 3");

        assertThat(awaitFinished(host, job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(3));
        assertThat(host.status(job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(3));
    }

    @Test
    void commandsStopAtTheFirstFailure() throws Exception {
        JobHandle job = start("echo first", "false", "echo after");

        assertThat(awaitFinished(host, job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(1));
        assertThat(output(host, job, LogStream.STDOUT)).isEqualTo("first\n");
    }

    @Test
    void environmentReachesTheJobAndServerVariablesDoNot() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DSTACK_RUN_NAME", "train-1");
        env.put("DSTACK_NODES_IPS", "10.0.0.1\n10.0.0.2");
        env.put("TRICKY", "it's $HOME `x`");
        JobLaunch launch = JobLaunch.of(newJobId(), List.of(
                "printf '%s|' \"$DSTACK_RUN_NAME\" \"$DSTACK_NODES_IPS\" \"$TRICKY\" \"$DSTACK_WORKING_DIR\" \"$PWD\"",
                "env | cut -d= -f1 | sort | tr '\\n' ' '")).withEnv(env).withWorkingDir("src");
        JobHandle job = host.start(launch);

        awaitFinished(host, job);

        String[] output = output(host, job, LogStream.STDOUT).split("\\|", -1);
        Path workingDir = host.jobDirectory(job).resolve("workdir/src");
        assertThat(output).startsWith("train-1", "10.0.0.1\n10.0.0.2", "it's $HOME `x`", workingDir.toString(),
                workingDir.toString());
        List<String> names = List.of(output[5].strip().split(" "));
        assertThat(names).contains("DSTACK_RUN_NAME", "PATH", "HOME");
        List<String> setByBash = List.of("PWD", "OLDPWD", "SHLVL", "_");
        System.getenv().keySet().stream()
                .filter(name -> !LocalHostExecutor.defaultBaseEnvironment().containsKey(name))
                .filter(name -> !setByBash.contains(name) && !env.containsKey(name))
                .filter(name -> name.matches("[A-Za-z_][A-Za-z0-9_]*"))
                .forEach(name -> assertThat(names).doesNotContain(name));
    }

    @Test
    void unfinishedLinesShowUpAsFragmentsAndTheLastLineNeedsNoNewline() throws Exception {
        JobHandle job = start("printf 'progress 10%%\\r'", WAIT_FOR_GO, "printf 'progress 100%%\\ndone\\nno newline'");
        await().atMost(Duration.ofSeconds(20)).until(() -> !allLogs(host, job).isEmpty());

        assertThat(allLogs(host, job)).extracting(LogLine::text, LogLine::endsLine)
                .containsExactly(tuple("progress 10%\r", false)); // visible although no newline came yet
        release(job);
        awaitFinished(host, job);

        assertThat(allLogs(host, job)).extracting(LogLine::text, LogLine::endsLine).containsExactly(
                tuple("progress 10%\r", false),
                tuple("progress 100%", true),
                tuple("done", true),
                tuple("no newline", false));
        assertThat(output(host, job, LogStream.STDOUT)).isEqualTo("progress 10%\rprogress 100%\ndone\nno newline");
    }

    @Test
    void longLinesAreSplitIntoFragmentsThatJoinBackExactly() throws Exception {
        String longLine = "é".repeat(1500) + "x".repeat(1700);
        JobHandle job = start("printf '%s\\n' '" + longLine + "'", "echo short");

        awaitFinished(host, job);

        List<LogLine> lines = allLogs(host, job);
        assertThat(lines.size()).isGreaterThan(2);
        assertThat(output(host, job, LogStream.STDOUT)).isEqualTo(longLine + "\nshort\n");
    }

    @Test
    void stopSendsSigtermThatTheJobCanTrap() throws Exception {
        JobHandle job = start("trap 'echo got TERM; exit 0' TERM", "echo ready", "while true; do sleep 0.05; done");
        awaitOutput(job, "ready");

        host.stop(job, Duration.ofSeconds(20));

        assertThat(awaitFinished(host, job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isZero());
        // Under load the spawner's reply can come after its timeout and the signal script sends SIGTERM again, so
        // the trap may run twice (a known wart, see the issue notes); what counts is that it ran and the job exited 0.
        assertThat(output(host, job, LogStream.STDOUT)).startsWith("ready\ngot TERM\n");
    }

    @Test
    void jobThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        JobHandle job = start("trap 'echo got TERM, carrying on' TERM", "echo ready", "while true; do sleep 0.05; done");
        awaitOutput(job, "ready");

        host.stop(job, Duration.ofMillis(500));

        assertThat(awaitFinished(host, job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(137));
        assertThat(output(host, job, LogStream.STDOUT)).startsWith("ready\ngot TERM, carrying on\n");
    }

    @Test
    void jobWithoutTrapEndsWithSigtermCode() throws Exception {
        JobHandle job = start("echo ready", "sleep 60");
        awaitOutput(job, "ready");

        host.stop(job, Duration.ofSeconds(20));

        assertThat(awaitFinished(host, job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(143));
    }

    @Test
    void killAbortsAtOnceWithTheBackgroundProcesses() throws Exception {
        JobHandle job = start("trap '' TERM", "sleep 60 &", "echo ready", "sleep 60");
        awaitOutput(job, "ready");
        long processGroup = ((HostJobState.Running) host.status(job)).processGroupId();

        host.kill(job);

        assertThat(awaitFinished(host, job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(137));
        assertThat(ProcessHandle.allProcesses().filter(p -> processGroupOf(p.pid()) == processGroup)).isEmpty();
    }

    /** The process group of a live process; -1 for a gone one or a zombie (dead, waiting for init to reap it). */
    static long processGroupOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return fields[0].equals("Z") ? -1 : Long.parseLong(fields[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Test
    void killRightAfterStartReachesTheJob() throws Exception {
        List<JobHandle> jobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            JobHandle job = start("sleep 60");
            host.kill(job); // start() returns once the job leads its own process group: this signal cannot miss it
            jobs.add(job);
        }

        for (JobHandle job : jobs) {
            assertThat(awaitFinished(host, job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                    exited -> assertThat(exited.exitCode()).isEqualTo(137));
        }
    }

    @Test
    void stoppingAFinishedJobDoesNothing() throws Exception {
        JobHandle job = start("exit 4");
        awaitFinished(host, job);

        host.stop(job, Duration.ofSeconds(1));
        host.kill(job);

        assertThat(host.status(job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(4));
    }

    @Test
    void aNewExecutorOnTheSameDirectoryAdoptsRunningAndFinishedJobs() throws Exception {
        JobHandle finished = start("echo done early", "exit 2");
        JobHandle running = start("echo line-1", WAIT_FOR_GO, "echo line-2", "exit 5");
        awaitFinished(host, finished);
        awaitOutput(running, "line-1");
        host.close(); // the engine goes away

        try (LocalHostExecutor restarted = new LocalHostExecutor(root)) {
            assertThat(restarted.jobs()).contains(finished, running);
            assertThat(restarted.status(finished)).isInstanceOfSatisfying(HostJobState.Exited.class,
                    exited -> assertThat(exited.exitCode()).isEqualTo(2));
            assertThat(restarted.status(running)).isInstanceOf(HostJobState.Running.class);
            CompletableFuture<HostJobState> exit = restarted.onFinished(running).toCompletableFuture();
            assertThat(exit).isNotDone();

            release(running);

            assertThat(exit.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(HostJobState.Exited.class,
                    exited -> assertThat(exited.exitCode()).isEqualTo(5));
            assertThat(output(restarted, running, LogStream.STDOUT)).isEqualTo("line-1\nline-2\n");
            assertThat(output(restarted, finished, LogStream.STDOUT)).isEqualTo("done early\n");
        }
    }

    @Test
    void jobWhoseSupervisorDiesIsLostAndCanStillBeKilled() throws Exception {
        JobHandle job = start("echo ready", "sleep 60");
        awaitOutput(job, "ready");
        long wrapperPid = Long.parseLong(Files.readString(host.jobDirectory(job).resolve("pid")).split(" ")[0]);
        long processGroup = ((HostJobState.Running) host.status(job)).processGroupId();
        CompletableFuture<HostJobState> exit = host.onFinished(job).toCompletableFuture();

        ProcessHandle.of(wrapperPid).orElseThrow().destroyForcibly();

        assertThat(exit.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(HostJobState.Lost.class,
                lost -> assertThat(lost.reason()).contains("ended without recording an exit code"));
        assertThat(ProcessHandle.allProcesses().filter(p -> processGroupOf(p.pid()) == processGroup)).isNotEmpty();
        host.kill(job);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                ProcessHandle.allProcesses().noneMatch(p -> processGroupOf(p.pid()) == processGroup));
    }

    @Test
    void twoHundredShortJobsStartedAtOnceFinishWithTheirExitCodesWithoutAThreadPerJob() throws Exception {
        int threadsBefore = Thread.getAllStackTraces().size();
        ExecutorService starters = Executors.newFixedThreadPool(4);
        List<Future<JobHandle>> started = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            started.add(starters.submit(() -> start("echo job-" + n, "exit " + (n % 7))));
        }
        List<JobHandle> jobs = new ArrayList<>();
        for (Future<JobHandle> job : started) {
            jobs.add(job.get(120, TimeUnit.SECONDS));
        }
        starters.shutdown();
        List<CompletableFuture<HostJobState>> exits = jobs.stream().map(job -> host.onFinished(job).toCompletableFuture()).toList();
        int threadsWhileRunning = Thread.getAllStackTraces().size();

        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        assertThat(threadsWhileRunning - threadsBefore).as("threads added while 200 jobs ran").isLessThan(20);
        for (int i = 0; i < jobs.size(); i++) {
            int expectedCode = i % 7;
            assertThat(exits.get(i).get()).isInstanceOfSatisfying(HostJobState.Exited.class,
                    exited -> assertThat(exited.exitCode()).isEqualTo(expectedCode));
            assertThat(output(host, jobs.get(i), LogStream.STDOUT)).isEqualTo("job-" + i + "\n");
        }
    }

    @Test
    void closingTheExecutorCancelsWaitsButLeavesJobsRunning() throws Exception {
        JobHandle job = start(WAIT_FOR_GO);
        CompletableFuture<HostJobState> exit = host.onFinished(job).toCompletableFuture();

        host.close();

        assertThat(exit).isCompletedExceptionally();
        assertThat(host.status(job)).isInstanceOf(HostJobState.Running.class);
    }

    @Test
    void startingAJobIdTwiceIsRefused() throws Exception {
        JobHandle job = start("true");
        awaitFinished(host, job);

        assertThatThrownBy(() -> host.start(JobLaunch.of(job.jobId(), List.of("true"))))
                .isInstanceOfSatisfying(HostExecutionException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS))
                .hasMessageContaining("job " + job.jobId() + " already exists on this host");
    }

    @Test
    void unknownJobIsLostAndHasNoLogs() {
        JobHandle ghost = new JobHandle("no-such-job");

        assertThat(host.status(ghost)).isInstanceOfSatisfying(HostJobState.Lost.class,
                lost -> assertThat(lost.reason()).contains("there is no job no-such-job on this host"));
        assertThat(host.readLogs(ghost, 0).lines()).isEmpty();
    }

    @Test
    void cleanupRemovesTheFilesOnlyOnceTheJobEnded() throws Exception {
        JobHandle job = start(WAIT_FOR_GO, "echo data > result.txt");
        assertThat(host.status(job)).isInstanceOf(HostJobState.Running.class);

        assertThatThrownBy(() -> host.cleanup(job)).isInstanceOf(HostExecutionException.class)
                .hasMessageContaining("is still running on this host; stop or kill it");
        release(job);
        awaitFinished(host, job);
        host.cleanup(job);

        assertThat(host.jobDirectory(job)).doesNotExist();
        assertThat(root.resolve(".exited").resolve(job.jobId())).doesNotExist();
        assertThat(host.jobs()).doesNotContain(job);
    }

    @Test
    void readingLogsFromTheReturnedOffsetGivesOnlyNewLines() throws Exception {
        JobHandle job = start("echo one", WAIT_FOR_GO, "echo two");
        awaitOutput(job, "one");
        LogChunk first = host.readLogs(job, 0);

        assertThat(host.readLogs(job, first.nextOffset()).lines()).isEmpty();
        release(job);
        awaitFinished(host, job);

        assertThat(first.lines()).extracting(LogLine::text).containsExactly("one");
        assertThat(host.readLogs(job, first.nextOffset()).lines()).extracting(LogLine::text).containsExactly("two");
    }
}
