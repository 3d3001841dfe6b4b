package ai.dstack.core.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.Optional;
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

/**
 * What only the local executor does: process groups, a dying supervisor, the server's environment kept out, many jobs
 * without a thread each. What every host executor does is {@code LocalHostExecutorContractTest} in dstack-testing.
 */
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
    void environmentReachesTheJobAndServerVariablesDoNot() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("DSTACK_RUN_NAME", "train-1");
        env.put("DSTACK_NODES_IPS", "10.0.0.1\n10.0.0.2");
        env.put("TRICKY", "it's $HOME `x`");
        JobLaunch launch = JobLaunch.of(newJobId(), List.of(
                "printf '%s|' \"$DSTACK_RUN_NAME\" \"$DSTACK_NODES_IPS\" \"$TRICKY\" \"$DSTACK_WORKING_DIR\" \"$PWD\" \"$HOME\"",
                "env | cut -d= -f1 | sort | tr '\\n' ' '")).withEnv(env).withWorkingDir("src");
        JobHandle job = host.start(launch);

        awaitFinished(host, job);

        String[] output = output(host, job, LogStream.STDOUT).split("\\|", -1);
        Path workingDir = host.jobDirectory(job).resolve("workdir/src");
        assertThat(output).startsWith("train-1", "10.0.0.1\n10.0.0.2", "it's $HOME `x`", workingDir.toString(),
                workingDir.toString(), host.jobDirectory(job).resolve(LocalHostExecutor.HOME_DIR).toString());
        List<String> names = List.of(output[6].strip().split(" "));
        assertThat(names).contains("DSTACK_RUN_NAME", "PATH", "HOME");
        // HOME is the job's own (checked above); USER and LOGNAME name the job's user where it has one of its own.
        List<String> setByBash = List.of("PWD", "OLDPWD", "SHLVL", "_", "HOME", "USER", "LOGNAME");
        System.getenv().keySet().stream()
                .filter(name -> !LocalHostExecutor.defaultBaseEnvironment().containsKey(name))
                .filter(name -> !setByBash.contains(name) && !env.containsKey(name))
                .filter(name -> name.matches("[A-Za-z_][A-Za-z0-9_]*"))
                .forEach(name -> assertThat(names).doesNotContain(name));
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

    /**
     * The local host reads its jobs' usage from {@code /proc} itself; it agrees with what the usage script (which SSH
     * hosts and container jobs still use) reads for the same job: its processes' CPU time and memory.
     */
    @Test
    void usageReadFromProcAgreesWithTheUsageScript() throws Exception {
        JobHandle job = start("sleep 60 &", "sleep 60 &",
                "i=0; while [ $i -lt 50000 ]; do i=$((i + 1)); done", "echo ready", "wait");
        awaitOutput(job, "ready");
        JobHandle finished = start("true");
        awaitFinished(host, finished);

        var usages = host.usage(List.of(job, finished, new JobHandle(newJobId())));
        ProcessRunner.Result script = new ProcessRunner(LocalHostExecutor.defaultBaseEnvironment()).bash(
                ai.dstack.spi.host.ShellJobProtocol.usageScript(), "dstack-job-usage",
                List.of(host.jobDirectory(job).toString()), "", Duration.ofSeconds(30));
        ai.dstack.spi.host.JobUsage byScript = ai.dstack.spi.host.ShellJobProtocol.parseUsage(script.stdout())
                .orElseThrow();

        ai.dstack.spi.host.JobUsage byProc = usages.get(job).orElseThrow();
        assertThat(usages.get(finished)).as("an ended job").isEmpty();
        assertThat(usages.values().stream().skip(2)).as("a job that never started").containsExactly(Optional.empty());
        assertThat(byProc.cpuTimeMicros()).as("CPU time (the loop ran in the job's shell)")
                .isGreaterThan(100_000).isBetween(byScript.cpuTimeMicros() - 20_000, byScript.cpuTimeMicros() + 20_000);
        assertThat(byProc.memoryUsageBytes()).isGreaterThanOrEqualTo(byProc.memoryWorkingSetBytes())
                .isCloseTo(byScript.memoryUsageBytes(), org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(byProc.memoryWorkingSetBytes()).isPositive()
                .isCloseTo(byScript.memoryWorkingSetBytes(), org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(byProc.cpus()).isEqualTo(byScript.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(byProc.memoryTotalBytes()).isEqualTo(byScript.memoryTotalBytes());
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

    /** Thousands of sleeping jobs are thousands of supervisors: one that woke on a timer would cost a core. */
    @Test
    void theSupervisorOfASleepingJobDoesNotWakeUntilTheJobEnds() throws Exception {
        JobHandle job = start("echo ready", "sleep 60");
        awaitOutput(job, "ready");
        long supervisor = Long.parseLong(Files.readString(host.jobDirectory(job).resolve("pid")).split(" ")[0]);
        long switchesBefore = voluntaryContextSwitches(supervisor);

        Thread.sleep(4_500); // the supervisor used to look at its job every 2 s

        assertThat(voluntaryContextSwitches(supervisor)).as("times the supervisor woke").isEqualTo(switchesBefore);
        host.kill(job);
        assertThat(awaitFinished(host, job)).isInstanceOfSatisfying(HostJobState.Exited.class,
                exited -> assertThat(exited.exitCode()).isEqualTo(137));
    }

    static long voluntaryContextSwitches(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("voluntary_ctxt_switches:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).strip()))
                .findFirst().orElseThrow();
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
}
