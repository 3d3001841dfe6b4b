package ai.dstack.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.ErrorCode;
import ai.dstack.client.TarWriter;
import ai.dstack.spi.host.HostExecutionException;
import ai.dstack.spi.host.HostExecutor;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.JobArchive;
import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.JobRepoCheckout;
import ai.dstack.spi.host.JobUsage;
import ai.dstack.spi.host.LogChunk;
import ai.dstack.spi.host.LogLine;
import ai.dstack.spi.host.LogStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link HostExecutor} must do, as JUnit 5 tests, on real processes: exit codes, both output streams with
 * timestamps, fragments of unfinished and long lines, logs read from an offset, SIGTERM then SIGKILL after the grace
 * period, kill, jobs adopted by a new executor instance, refusals. A host's own test class extends this one and says
 * how to make executors on one host; every test here then runs against it:
 *
 * <pre>{@code
 * class MyHostExecutorTest extends HostExecutorContract {
 *     protected void setUpHost() throws Exception { host = MyHost.start(); }
 *     protected HostExecutor newExecutor() { return new MyHostExecutor(host); }
 *     protected String hostName() { return "me@127.0.0.1:" + host.port(); }
 *     protected void tearDownHost() throws Exception { host.close(); }
 * }
 * }</pre>
 *
 * <p>Tests hold a job at a gate until they open it: by default a file in a temporary directory of this machine, which
 * the job's shell polls for, so the host's jobs must see this machine's files (a local host, or an SSH server on
 * loopback). A host that does not overrides {@link #gateCommand} and {@link #openGate}.
 */
public abstract class HostExecutorContract {
    /** How long a test waits for a job to reach a state. */
    protected static final Duration WAIT = Duration.ofSeconds(30);

    /** The executor under test, made by {@link #newExecutor()} before each test and closed after it. */
    protected HostExecutor executor;

    @TempDir
    protected Path gates;

    private final List<HostExecutor> executors = new CopyOnWriteArrayList<>();
    private final List<JobHandle> started = new CopyOnWriteArrayList<>();

    /** Starts what the executors need (a server, a directory); called before each test. */
    protected void setUpHost() throws Exception {}

    /**
     * A new executor instance on the host of this test: a second one must see the jobs the first started, as an
     * engine restarted on the same host does.
     */
    protected abstract HostExecutor newExecutor() throws Exception;

    /** How the executor's messages name its host, e.g. {@code this host} or {@code dstack@127.0.0.1:2222}. */
    protected abstract String hostName();

    /**
     * Called after each test once every job it started has ended and the executors are closed, to wait for what
     * outlives a job (a supervising process still writing its files) and stop what {@link #setUpHost()} started.
     */
    protected void tearDownHost() throws Exception {}

    /** A shell command that waits until the test calls {@link #openGate} with the same name. */
    protected String gateCommand(String name) {
        return "while [ ! -e '" + gates.resolve(name) + "' ]; do sleep 0.02; done";
    }

    /** Lets the jobs waiting at {@link #gateCommand gate} {@code name} go on. */
    protected void openGate(String name) throws Exception {
        Files.createFile(gates.resolve(name));
    }

    @BeforeEach
    void createExecutor() throws Exception {
        setUpHost();
        executor = track(newExecutor());
    }

    @AfterEach
    void killLeftoverJobsAndTearDown() throws Exception {
        try {
            HostExecutor last = track(newExecutor());
            List<JobHandle> unfinished = new ArrayList<>(); // only these are asked again (over SSH, one exec each)
            for (JobHandle job : started) {
                HostJobState state = last.status(job);
                if (state instanceof HostJobState.Running) {
                    last.kill(job);
                }
                if (!state.isFinal()) {
                    unfinished.add(job);
                }
            }
            await().atMost(WAIT).until(() -> unfinished.stream().allMatch(job -> last.status(job).isFinal()));
            executors.forEach(HostExecutor::close);
        } finally {
            tearDownHost();
        }
    }

    /** An executor that is closed after the test, whatever happens. */
    protected HostExecutor track(HostExecutor newExecutor) {
        executors.add(newExecutor);
        return newExecutor;
    }

    protected static String newJobId() {
        return "job-" + UUID.randomUUID();
    }

    /** Starts a job of {@code commands} on {@link #executor}; it is killed after the test if still running. */
    protected JobHandle start(String... commands) {
        return start(JobLaunch.of(newJobId(), List.of(commands)));
    }

    protected JobHandle start(JobLaunch launch) {
        JobHandle job = executor.start(launch);
        started.add(job);
        return job;
    }

    protected static HostJobState awaitFinished(HostExecutor executor, JobHandle job) throws Exception {
        return executor.onFinished(job).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Every log line of the job, read in small pages to exercise the offsets. */
    protected static List<LogLine> allLogs(HostExecutor executor, JobHandle job) {
        List<LogLine> lines = new ArrayList<>();
        long offset = 0;
        while (true) {
            LogChunk chunk = executor.readLogs(job, offset, 7);
            lines.addAll(chunk.lines());
            if (chunk.nextOffset() == offset) {
                return lines;
            }
            offset = chunk.nextOffset();
        }
    }

    /** The text of one stream as the job wrote it. */
    protected static String output(HostExecutor executor, JobHandle job, LogStream stream) {
        return allLogs(executor, job).stream().filter(line -> line.stream() == stream).map(LogLine::rawText)
                .collect(Collectors.joining());
    }

    protected void awaitOutput(JobHandle job, String text) {
        await().atMost(WAIT).until(() -> output(executor, job, LogStream.STDOUT).contains(text));
    }

    private static void assertExitCode(HostJobState status, int code) {
        assertThat(status).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(code));
    }

    // ---------------------------------------------------------------- exit codes and output

    @Test
    public void linesOfBothStreamsAreLoggedInOrderWithTimestampsAndExitCodeZero() throws Exception {
        long before = System.currentTimeMillis();
        JobHandle job = start("for i in 1 2 3 4 5 6 7 8 9 10; do echo out-$i; echo err-$i >&2; done");

        HostJobState status = awaitFinished(executor, job);

        assertExitCode(status, 0);
        List<LogLine> lines = allLogs(executor, job);
        assertThat(lines.stream().filter(l -> l.stream() == LogStream.STDOUT).map(LogLine::text)).containsExactly(
                "out-1", "out-2", "out-3", "out-4", "out-5", "out-6", "out-7", "out-8", "out-9", "out-10");
        assertThat(lines.stream().filter(l -> l.stream() == LogStream.STDERR).map(LogLine::text)).containsExactly(
                "err-1", "err-2", "err-3", "err-4", "err-5", "err-6", "err-7", "err-8", "err-9", "err-10");
        long finishedAt = ((HostJobState.Exited) status).finishedAt().toEpochMilli();
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.endsLine()).isTrue();
            assertThat(line.timestamp().toEpochMilli()).isBetween(before, finishedAt);
        });
        assertThat(lines.stream().filter(l -> l.stream() == LogStream.STDOUT).map(LogLine::timestamp).toList())
                .isSorted();
    }

    @Test
    public void exitCodeOfTheFailingCommandIsTheJobs() throws Exception {
        JobHandle job = start("echo before", "exit 3");

        assertExitCode(awaitFinished(executor, job), 3);
        assertExitCode(executor.status(job), 3);
        assertThat(executor.jobs()).contains(job);
    }

    @Test
    public void commandsStopAtTheFirstFailure() throws Exception {
        JobHandle job = start("echo first", "false", "echo after");

        assertExitCode(awaitFinished(executor, job), 1);
        assertThat(output(executor, job, LogStream.STDOUT)).isEqualTo("first\n");
    }

    @Test
    public void codeAndFilesArchivesAreInTheJobDirectoryBeforeTheCommandsRun() throws Exception {
        byte[] code = new TarWriter()
                .addFile("src/tool.sh", 0755, "echo tool in ${PWD##*/}\n".getBytes(StandardCharsets.UTF_8))
                .addFile("README", 0644, "the code\n".getBytes(StandardCharsets.UTF_8)).toByteArray();
        byte[] data = new TarWriter().addFile("upload.txt", 0644, "a file\n".getBytes(StandardCharsets.UTF_8))
                .toByteArray();
        JobHandle job = start(JobLaunch.of(newJobId(), List.of("./tool.sh", "cat ../README ../inputs/data.txt"))
                .withWorkingDir("src")
                .withArchives(List.of(new JobArchive("", code, false), new JobArchive("inputs/data.txt", data, true))));

        assertExitCode(awaitFinished(executor, job), 0);
        assertThat(output(executor, job, LogStream.STDOUT)).isEqualTo("tool in src\nthe code\na file\n");
    }

    @Test
    public void aRemoteRepoIsClonedAtItsHashWithTheDiffAppliedBeforeTheArchives() throws Exception {
        Path bare = gates.resolve("origin.git");
        Path work = gates.resolve("clone");
        GitRepos.create(bare, work);
        String first = GitRepos.commit(work, "first", Map.of("src/tool.sh", "echo v1\n", "README", "committed\n"));
        GitRepos.commit(work, "second", Map.of("src/tool.sh", "echo v2\n"));
        Files.writeString(work.resolve("README"), "changed\n");
        // A diff as dstack's CLI uploads it (from the run's commit to the working tree), here of README alone: the
        // job must see the first commit's tool, not the second's.
        byte[] diff = (GitRepos.git(work, "diff", "--binary", first, "--", "README") + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] data = new TarWriter().addFile("upload.txt", 0644, "a file\n".getBytes(StandardCharsets.UTF_8))
                .toByteArray();
        String secret = UUID.randomUUID().toString();
        String token = "token-" + secret;
        JobHandle job = start(JobLaunch.of(newJobId(), List.of("sh tool.sh", "cat ../README ../inputs/data.txt",
                        "git rev-parse HEAD", "git config user.name",
                        "grep -rl \"token-\"'" + secret + "' ../.. 2>/dev/null | wc -l", "ls -a ../.. | grep -c git-creds || true"))
                .withWorkingDir("src")
                .withRepo(new JobRepoCheckout("", bare.toUri().toString(), "main", first, token, null, diff,
                        "Dee Stack", "dee@example.com"))
                .withArchives(List.of(new JobArchive("inputs/data.txt", data, true))));

        assertExitCode(awaitFinished(executor, job), 0);
        assertThat(output(executor, job, LogStream.STDOUT))
                .as("the first commit's tool, the uncommitted README, the files: archive, the identity; the token"
                        + " is in no file of the job and the credentials directory is gone")
                .isEqualTo("v1\nchanged\na file\n" + first + "\nDee Stack\n0\n0\n");
    }

    @Test
    public void singleBranchClonesOnlyTheRunsBranchAndOtherwiseAllAreFetched() throws Exception {
        Path bare = gates.resolve("branches.git");
        Path work = gates.resolve("branches");
        GitRepos.create(bare, work);
        GitRepos.commit(work, "main", Map.of("README", "main\n"));
        GitRepos.git(work, "push", "--quiet", "origin", "HEAD:refs/heads/feature");
        List<String> commands = List.of("git branch -r | sed 's/^ *//' | grep -v HEAD | sort | tr '\\n' ' '");
        JobHandle single = start(JobLaunch.of(newJobId(), commands).withRepo(new JobRepoCheckout("",
                bare.toUri().toString(), "main", null, null, null, null, null, null, true)));
        JobHandle all = start(JobLaunch.of(newJobId(), commands).withRepo(new JobRepoCheckout("",
                bare.toUri().toString(), "main", null, null, null, null, null, null, false)));

        assertExitCode(awaitFinished(executor, single), 0);
        assertExitCode(awaitFinished(executor, all), 0);
        assertThat(output(executor, single, LogStream.STDOUT)).isEqualTo("origin/main ");
        assertThat(output(executor, all, LogStream.STDOUT)).isEqualTo("origin/feature origin/main ");
    }

    @Test
    public void aRepoThatCannotBeClonedOrCheckedOutRefusesTheStartSayingWhy() throws Exception {
        Path bare = gates.resolve("one.git");
        Path work = gates.resolve("one");
        GitRepos.create(bare, work);
        GitRepos.commit(work, "only", Map.of("README", "x\n"));
        String nowhere = gates.resolve("nowhere.git").toUri().toString();
        assertThatThrownBy(() -> executor.start(JobLaunch.of(newJobId(), List.of("true")).withRepo(
                new JobRepoCheckout("", nowhere, null, null, null, null, null, null, null))))
                .isInstanceOf(HostExecutionException.class).hasMessageContaining("cannot clone " + nowhere);
        String missing = "0123456789abcdef0123456789abcdef01234567";
        assertThatThrownBy(() -> executor.start(JobLaunch.of(newJobId(), List.of("true")).withRepo(
                new JobRepoCheckout("", bare.toUri().toString(), "main", missing, null, null, null, null, null))))
                .isInstanceOf(HostExecutionException.class).hasMessageContaining("cannot check out " + missing);
    }

    @Test
    public void environmentAndWorkingDirectoryReachTheJob() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DSTACK_RUN_NAME", "train-1");
        env.put("DSTACK_NODES_IPS", "127.0.0.2\n127.0.0.3");
        env.put("TRICKY", "it's $HOME `x`");
        JobHandle job = start(JobLaunch.of(newJobId(), List.of(
                "printf '%s|' \"$DSTACK_RUN_NAME\" \"$DSTACK_NODES_IPS\" \"$TRICKY\" \"$DSTACK_WORKING_DIR\" \"$PWD\"",
                "env | cut -d= -f1 | sort | tr '\\n' ' '")).withEnv(env).withWorkingDir("src"));

        assertExitCode(awaitFinished(executor, job), 0);

        String[] output = output(executor, job, LogStream.STDOUT).split("\\|", -1);
        assertThat(output).startsWith("train-1", "127.0.0.2\n127.0.0.3", "it's $HOME `x`");
        assertThat(output[3]).as("DSTACK_WORKING_DIR").endsWith("/src").isEqualTo(output[4]);
        assertThat(List.of(output[5].strip().split(" "))).contains("DSTACK_RUN_NAME", "PATH", "HOME");
    }

    @Test
    public void unfinishedLinesShowUpAsFragmentsAndTheLastLineNeedsNoNewline() throws Exception {
        JobHandle job = start("printf 'progress 10%%\\r'", gateCommand("go"),
                "printf 'progress 100%%\\ndone\\nno newline'");
        await().atMost(WAIT).until(() -> !allLogs(executor, job).isEmpty());

        assertThat(allLogs(executor, job)).extracting(LogLine::text, LogLine::endsLine)
                .containsExactly(tuple("progress 10%\r", false)); // visible although no newline came yet
        openGate("go");
        awaitFinished(executor, job);

        assertThat(allLogs(executor, job)).extracting(LogLine::text, LogLine::endsLine).containsExactly(
                tuple("progress 10%\r", false),
                tuple("progress 100%", true),
                tuple("done", true),
                tuple("no newline", false));
        assertThat(output(executor, job, LogStream.STDOUT)).isEqualTo("progress 10%\rprogress 100%\ndone\nno newline");
    }

    @Test
    public void longLinesAreSplitIntoFragmentsThatJoinBackExactly() throws Exception {
        String longLine = "é".repeat(1500) + "x".repeat(1700);
        JobHandle job = start("printf '%s\\n' '" + longLine + "'", "echo short");

        awaitFinished(executor, job);

        assertThat(allLogs(executor, job).size()).isGreaterThan(2);
        assertThat(output(executor, job, LogStream.STDOUT)).isEqualTo(longLine + "\nshort\n");
    }

    @Test
    public void readingLogsFromTheReturnedOffsetGivesOnlyNewLines() throws Exception {
        JobHandle job = start("echo one", gateCommand("go"), "echo two");
        awaitOutput(job, "one");
        LogChunk first = executor.readLogs(job, 0);

        assertThat(executor.readLogs(job, first.nextOffset()).lines()).isEmpty();
        openGate("go");
        awaitFinished(executor, job);

        assertThat(first.lines()).extracting(LogLine::text).containsExactly("one");
        assertThat(executor.readLogs(job, first.nextOffset()).lines()).extracting(LogLine::text)
                .containsExactly("two");
    }

    @Test
    public void jobsStartedFromSeveralThreadsFinishWithTheirOwnExitCodesAndOutput() throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(4);
        List<Future<JobHandle>> starting = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                int n = i;
                starting.add(starters.submit(() -> start("echo job-" + n, "exit " + (n % 7))));
            }
            for (int i = 0; i < starting.size(); i++) {
                JobHandle job = starting.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertExitCode(awaitFinished(executor, job), i % 7);
                assertThat(output(executor, job, LogStream.STDOUT)).isEqualTo("job-" + i + "\n");
            }
        } finally {
            starters.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- stop and kill

    @Test
    public void stopSendsSigtermThatTheJobCanTrap() throws Exception {
        JobHandle job = start("trap 'echo got TERM; exit 0' TERM", "echo ready", "while true; do sleep 0.05; done");
        awaitOutput(job, "ready");

        executor.stop(job, Duration.ofSeconds(20));

        assertExitCode(awaitFinished(executor, job), 0);
        // Under load a host may deliver SIGTERM twice (a retried signal), so the trap may run twice; what counts is
        // that it ran and the job exited with the trap's code.
        assertThat(output(executor, job, LogStream.STDOUT)).startsWith("ready\ngot TERM\n");
    }

    @Test
    public void jobThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        JobHandle job = start("trap 'echo got TERM, carrying on' TERM", "echo ready",
                "while true; do sleep 0.05; done");
        awaitOutput(job, "ready");

        executor.stop(job, Duration.ofMillis(500));

        assertExitCode(awaitFinished(executor, job), 137);
        assertThat(output(executor, job, LogStream.STDOUT)).startsWith("ready\ngot TERM, carrying on\n");
    }

    @Test
    public void jobWithoutTrapEndsWithSigtermCode() throws Exception {
        JobHandle job = start("echo ready", "sleep 60");
        awaitOutput(job, "ready");

        executor.stop(job, Duration.ofSeconds(20));

        assertExitCode(awaitFinished(executor, job), 143);
    }

    @Test
    public void killEndsAJobThatIgnoresSigtermAtOnce() throws Exception {
        JobHandle job = start("trap '' TERM", "sleep 60 &", "echo ready", "sleep 60");
        awaitOutput(job, "ready");

        executor.kill(job);

        assertExitCode(awaitFinished(executor, job), 137);
    }

    @Test
    public void killRightAfterStartReachesTheJob() throws Exception {
        List<JobHandle> jobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            JobHandle job = start("sleep 60");
            executor.kill(job); // start() returns once the job's process exists: this signal cannot miss it
            jobs.add(job);
        }

        for (JobHandle job : jobs) {
            assertExitCode(awaitFinished(executor, job), 137);
        }
    }

    @Test
    public void stoppingAFinishedJobDoesNothing() throws Exception {
        JobHandle job = start("exit 4");
        awaitFinished(executor, job);

        executor.stop(job, Duration.ofSeconds(1));
        executor.kill(job);

        assertExitCode(executor.status(job), 4);
    }

    // ---------------------------------------------------------------- executors come and go

    @Test
    public void aNewExecutorOnTheSameHostAdoptsRunningAndFinishedJobs() throws Exception {
        JobHandle finished = start("echo done early", "exit 2");
        JobHandle running = start("echo line-1", gateCommand("go"), "echo line-2", "exit 5");
        awaitFinished(executor, finished);
        awaitOutput(running, "line-1");
        executor.close(); // the engine goes away

        HostExecutor restarted = track(newExecutor());
        assertThat(restarted.jobs()).contains(finished, running);
        assertExitCode(restarted.status(finished), 2);
        assertThat(restarted.status(running)).isInstanceOf(HostJobState.Running.class);
        CompletableFuture<HostJobState> exit = restarted.onFinished(running).toCompletableFuture();
        assertThat(exit).isNotDone();

        openGate("go");

        assertExitCode(exit.get(WAIT.toSeconds(), TimeUnit.SECONDS), 5);
        assertThat(output(restarted, running, LogStream.STDOUT)).isEqualTo("line-1\nline-2\n");
        assertThat(output(restarted, finished, LogStream.STDOUT)).isEqualTo("done early\n");
    }

    @Test
    public void closingTheExecutorCancelsWaitsButLeavesJobsRunning() throws Exception {
        JobHandle job = start(gateCommand("go"));
        CompletableFuture<HostJobState> exit = executor.onFinished(job).toCompletableFuture();

        executor.close();

        assertThat(exit).isCompletedExceptionally();
        HostExecutor another = track(newExecutor());
        assertThat(another.status(job)).isInstanceOf(HostJobState.Running.class);
        openGate("go");
        assertExitCode(awaitFinished(another, job), 0);
    }

    // ---------------------------------------------------------------- refusals and unknown jobs

    @Test
    public void startingAJobIdTwiceIsRefused() throws Exception {
        JobHandle job = start("true");
        awaitFinished(executor, job);

        assertThatThrownBy(() -> executor.start(JobLaunch.of(job.jobId(), List.of("true"))))
                .isInstanceOfSatisfying(HostExecutionException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXISTS))
                .hasMessageContaining("job " + job.jobId() + " already exists on this host");
    }

    @Test
    public void unknownJobIsLostAndHasNoLogs() {
        JobHandle ghost = new JobHandle("no-such-job");

        assertThat(executor.status(ghost)).isInstanceOfSatisfying(HostJobState.Lost.class,
                lost -> assertThat(lost.reason()).contains("there is no job no-such-job on " + hostName()));
        assertThat(executor.readLogs(ghost, 0).lines()).isEmpty();
        assertThat(executor.jobs()).doesNotContain(ghost);
    }

    @Test
    public void cleanupRemovesAJobOnlyOnceItEnded() throws Exception {
        JobHandle job = start(gateCommand("go"), "echo data > result.txt");
        assertThat(executor.status(job)).isInstanceOf(HostJobState.Running.class);

        assertThatThrownBy(() -> executor.cleanup(job)).isInstanceOf(HostExecutionException.class)
                .hasMessageContaining("job " + job.jobId() + " is still running on " + hostName()
                        + "; stop or kill it");
        openGate("go");
        awaitFinished(executor, job);
        executor.cleanup(job);

        assertThat(executor.jobs()).doesNotContain(job);
        assertThat(executor.status(job)).isInstanceOf(HostJobState.Lost.class);
        assertThat(executor.readLogs(job, 0).lines()).isEmpty();
    }

    // ---------------------------------------------------------------- resource usage (what job metrics sample)

    @Test
    public void usageCountsTheJobsLiveProcessesAndIsEmptyOnceItEnded() throws Exception {
        // Some CPU time in the job's own shell, then a child process that holds memory until the gate opens.
        JobHandle job = start("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done", "echo busy-done",
                gateCommand("go"));
        awaitOutput(job, "busy-done");

        JobUsage usage = executor.usage(job).orElseThrow(() -> new AssertionError("a running job has no usage"));
        assertThat(usage.cpuTimeMicros()).as("CPU time of the job's processes").isPositive();
        assertThat(usage.memoryUsageBytes()).as("resident memory").isPositive();
        assertThat(usage.memoryWorkingSetBytes()).isBetween(0L, usage.memoryUsageBytes());
        assertThat(usage.cpus()).isPositive();
        assertThat(usage.memoryTotalBytes()).isGreaterThan(usage.memoryUsageBytes());
        assertThat(usage.timestamp()).isCloseTo(java.time.Instant.now(), org.assertj.core.api.Assertions.within(
                1, java.time.temporal.ChronoUnit.MINUTES));

        openGate("go");
        awaitFinished(executor, job);
        assertThat(executor.usage(job)).as("a finished job has no live processes to sample").isEmpty();
    }

    @Test
    public void usageOfSeveralJobsAtOnceSamplesEachOnItsOwn() throws Exception {
        // One job burns CPU in its own shell, the other only waits: each sample holds its own job's processes.
        JobHandle busy = start("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done", "echo busy-done",
                gateCommand("busy"));
        JobHandle idle = start(gateCommand("idle"));
        JobHandle ended = start("echo bye");
        awaitOutput(busy, "busy-done");
        awaitFinished(executor, ended);

        java.util.Map<JobHandle, java.util.Optional<JobUsage>> usages = executor.usage(java.util.List.of(busy, ended, idle));

        assertThat(usages).containsOnlyKeys(busy, ended, idle);
        JobUsage busyUsage = usages.get(busy).orElseThrow(() -> new AssertionError("a running job has no usage"));
        JobUsage idleUsage = usages.get(idle).orElseThrow(() -> new AssertionError("a waiting job has no usage"));
        assertThat(usages.get(ended)).as("a finished job has no live processes to sample").isEmpty();
        assertThat(busyUsage.cpuTimeMicros()).as("the busy job's CPU time")
                .isGreaterThan(idleUsage.cpuTimeMicros());
        assertThat(busyUsage.memoryUsageBytes()).isPositive();
        assertThat(idleUsage.memoryUsageBytes()).isPositive();
        assertThat(idleUsage.cpus()).isEqualTo(busyUsage.cpus());

        openGate("busy");
        openGate("idle");
        awaitFinished(executor, busy);
        awaitFinished(executor, idle);
        assertThat(executor.usage(java.util.List.of(busy, idle)).values()).allMatch(java.util.Optional::isEmpty);
    }
}
