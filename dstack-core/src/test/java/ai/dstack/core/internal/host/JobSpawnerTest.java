package ai.dstack.core.internal.host;

import static ai.dstack.core.internal.host.LocalHostExecutorTest.WAIT_FOR_GO;
import static ai.dstack.core.internal.host.LocalHostExecutorTest.awaitFinished;
import static ai.dstack.core.internal.host.LocalHostExecutorTest.newJobId;
import static ai.dstack.core.internal.host.LocalHostExecutorTest.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.spi.host.JobHandle;
import ai.dstack.spi.host.JobLaunch;
import ai.dstack.spi.host.HostJobState;
import ai.dstack.spi.host.LogStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's long-lived perl spawner: many requests at once, its death, and the per-job launch without it. */
class JobSpawnerTest {
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
        LocalHostExecutorTest.awaitWrappersGone(host);
        host.close();
    }

    JobHandle start(String... commands) {
        return host.start(JobLaunch.of(newJobId(), List.of(commands)));
    }

    static <T> List<T> onSixThreads(List<Callable<T>> tasks) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(6);
        try {
            List<Future<T>> futures = threads.invokeAll(tasks);
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            threads.shutdown();
        }
    }

    static int exitCode(HostJobState status) {
        assertThat(status).isInstanceOf(HostJobState.Exited.class);
        return ((HostJobState.Exited) status).exitCode();
    }

    void awaitOutput(LocalHostExecutor executor, JobHandle job, String text) {
        await().atMost(Duration.ofSeconds(20)).until(() -> output(executor, job, LogStream.STDOUT).contains(text));
    }

    /**
     * As root, a job runs as a user of its own. The supervisor gives up root itself (no setpriv: one exec less per
     * job) where job.sh needs no root; a job with an MPI hostfile (which job.sh writes into root's job directory) goes
     * through setpriv as before. Either way: the job's user and group only, no capabilities, no_new_privs, and stdin
     * /dev/null (the switched job.sh came on the supervisor's stdin). setpriv here is a wrapper that leaves a mark.
     */
    @Test
    void aJobOfAUserOfItsOwnGivesUpRootInTheSupervisorOrThroughSetpriv(@TempDir Path bin) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(JobUsers.runningAsRoot(), "jobs get users of their own as root");
        Path setpriv = Stream.of("/usr/bin/setpriv", "/bin/setpriv").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(setpriv != null, "util-linux's setpriv");
        Path marks = bin.resolve("setpriv-ran");
        Path wrapper = bin.resolve("setpriv");
        Files.writeString(wrapper, "#!/bin/sh\necho ran >> " + marks + "\nexec " + setpriv + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        Map<String, String> environment = new HashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        environment.put("PATH", bin + ":" + environment.get("PATH"));
        String probe = "id -u; id -G; grep -e ^CapPrm -e ^CapEff -e ^NoNewPrivs /proc/self/status;"
                + " readlink /proc/self/fd/0";
        try (LocalHostExecutor users = new LocalHostExecutor(root.resolve("users"), environment)) {
            JobHandle switched = users.start(JobLaunch.of(newJobId(), List.of(probe)));
            assertThat(exitCode(users.onFinished(switched).toCompletableFuture().get(60, TimeUnit.SECONDS))).isZero();
            assertThat(marks).as("setpriv ran for a job the supervisor switched itself").doesNotExist();
            JobHandle throughSetpriv = users.start(JobLaunch.of(newJobId(), List.of(probe)).withMpiHostfile("127.0.0.1 slots=1\n"));
            assertThat(exitCode(users.onFinished(throughSetpriv).toCompletableFuture().get(60, TimeUnit.SECONDS))).isZero();
            assertThat(marks).as("setpriv ran for the job with an MPI hostfile").exists();

            for (JobHandle job : List.of(switched, throughSetpriv)) {
                String[] lines = output(users, job, LogStream.STDOUT).split("\n");
                long uid = Long.parseLong(lines[0]);
                assertThat(uid).as("the job's user").isGreaterThanOrEqualTo(JobUsers.FIRST_UID);
                assertThat(lines).as("%s", String.join(" | ", lines)).containsExactly(Long.toString(uid),
                        Long.toString(uid), "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000", "NoNewPrivs:\t1",
                        "/dev/null");
            }
        }
    }

    @Test
    void twoHundredJobsStartedFromSixThreadsAllFinishWithTheirExitCodesAndOutput() throws Exception {
        List<Callable<JobHandle>> starts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            starts.add(() -> start("echo job-" + n, "echo warn-" + n + " >&2", "exit " + (n % 5)));
        }

        List<JobHandle> jobs = onSixThreads(starts);
        List<CompletableFuture<HostJobState>> exits =
                jobs.stream().map(job -> host.onFinished(job).toCompletableFuture()).toList();
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        for (int i = 0; i < jobs.size(); i++) {
            assertThat(exitCode(exits.get(i).get())).as("exit code of job %d", i).isEqualTo(i % 5);
            assertThat(output(host, jobs.get(i), LogStream.STDOUT)).isEqualTo("job-" + i + "\n");
            assertThat(output(host, jobs.get(i), LogStream.STDERR)).isEqualTo("warn-" + i + "\n");
        }
        assertThat(host.spawnerPid()).as("the spawner started them").isPositive();
        assertThat(root.resolve(jobs.get(0).jobId()).resolve("job-wrapper.sh")).doesNotExist();
    }

    @Test
    void manyRunningJobsKilledAndStoppedFromSixThreadsEndWithTheirSignals() throws Exception {
        List<JobHandle> jobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            jobs.add(start("sleep 60"));
        }
        List<Callable<Void>> signals = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            JobHandle job = jobs.get(i);
            boolean kill = i % 2 == 0;
            signals.add(() -> {
                if (kill) {
                    host.kill(job);
                } else {
                    host.stop(job, Duration.ofSeconds(30));
                }
                return null;
            });
        }

        onSixThreads(signals);

        for (int i = 0; i < jobs.size(); i++) {
            assertThat(exitCode(awaitFinished(host, jobs.get(i)))).as("exit code of job %d", i)
                    .isEqualTo(i % 2 == 0 ? 137 : 143);
        }
    }

    @Test
    void signalsReachProcessesThatLeftTheJobsProcessGroupButNotItsSession() throws Exception {
        // With job control on, the background subshell gets a process group of its own in the job's session.
        JobHandle job = start("set -m",
                "(trap 'echo background got TERM; exit 0' TERM; echo ready; while true; do sleep 0.05; done) &",
                "trap 'true' TERM",
                "while kill -0 $! 2>/dev/null; do sleep 0.05; done; echo background gone");
        awaitOutput(host, job, "ready");

        host.stop(job, Duration.ofSeconds(30));

        assertThat(exitCode(awaitFinished(host, job))).isZero();
        assertThat(output(host, job, LogStream.STDOUT)).isEqualTo("ready\nbackground got TERM\nbackground gone\n");
    }

    @Test
    void aSpawnerThatDiesIsReplacedByTheNextCallAndItsJobsLiveOn() throws Exception {
        JobHandle waiting = start("echo started", WAIT_FOR_GO, "echo released", "exit 3");
        JobHandle sleeping = start("echo ready", "sleep 60");
        awaitOutput(host, sleeping, "ready");
        long firstSpawner = host.spawnerPid();
        ProcessHandle spawner = ProcessHandle.of(firstSpawner).orElseThrow();

        spawner.destroyForcibly();
        spawner.onExit().get(30, TimeUnit.SECONDS);

        host.kill(sleeping); // the next call starts a new spawner, which signals the old one's jobs
        JobHandle fresh = start("echo fresh", "exit 4");
        assertThat(host.spawnerPid()).isPositive().isNotEqualTo(firstSpawner);
        assertThat(exitCode(awaitFinished(host, sleeping))).isEqualTo(137);
        assertThat(exitCode(awaitFinished(host, fresh))).isEqualTo(4);
        Files.createFile(host.jobDirectory(waiting).resolve("workdir/go"));
        assertThat(exitCode(awaitFinished(host, waiting))).isEqualTo(3);
        assertThat(output(host, waiting, LogStream.STDOUT)).isEqualTo("started\nreleased\n");
    }

    @Test
    void aStopsEscalationOutlivesTheSpawner() throws Exception {
        JobHandle job = start("trap 'echo got TERM, carrying on' TERM", "echo ready", "while true; do sleep 0.05; done");
        awaitOutput(host, job, "ready");

        host.stop(job, Duration.ofMillis(500));
        ProcessHandle spawner = ProcessHandle.of(host.spawnerPid()).orElseThrow();
        spawner.destroyForcibly();
        spawner.onExit().get(30, TimeUnit.SECONDS);

        assertThat(exitCode(awaitFinished(host, job))).isEqualTo(137);
        assertThat(output(host, job, LogStream.STDOUT)).startsWith("ready\ngot TERM, carrying on\n");
    }

    @Test
    void closingTheExecutorEndsTheSpawnerButNotTheJobs() throws Exception {
        JobHandle job = start("echo ready", WAIT_FOR_GO, "exit 6");
        awaitOutput(host, job, "ready");
        ProcessHandle spawner = ProcessHandle.of(host.spawnerPid()).orElseThrow();

        host.close();

        spawner.onExit().get(30, TimeUnit.SECONDS);
        assertThat(host.status(job)).isInstanceOf(HostJobState.Running.class);
        try (LocalHostExecutor next = new LocalHostExecutor(root)) {
            Files.createFile(next.jobDirectory(job).resolve("workdir/go"));
            assertThat(exitCode(awaitFinished(next, job))).isEqualTo(6);
        }
    }

    /** A {@code PATH} with the tools the launcher scripts need and no perl. */
    static Path binWithoutPerl(Path bin) throws IOException {
        for (String tool : List.of("bash", "setsid", "mkfifo", "pkill", "rm", "mv", "sleep", "cat", "tail", "date")) {
            Path target = Stream.of("/usr/bin", "/bin").map(dir -> Path.of(dir, tool)).filter(Files::isExecutable)
                    .findFirst().orElseThrow(() -> new IllegalStateException(tool + " is not installed"));
            Files.createSymbolicLink(bin.resolve(tool), target);
        }
        return bin;
    }

    @Test
    void aSpawnerThatCannotStartLeavesJobsToTheLauncherScripts(@TempDir Path bin, @TempDir Path otherRoot)
            throws Exception {
        Path perl = binWithoutPerl(bin).resolve("perl"); // a perl without Time::HiRes, as some minimal installs are
        Files.writeString(perl, "#!/bin/bash\necho \"Can't locate Time/HiRes.pm in @INC\" >&2\nexit 2\n");
        Files.setPosixFilePermissions(perl, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> environment = new HashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        environment.put("PATH", bin.toString());
        try (LocalHostExecutor withBrokenPerl = new LocalHostExecutor(otherRoot, environment)) {
            JobHandle job = withBrokenPerl.start(JobLaunch.of("job", List.of("echo out", "exit 5")));

            assertThat(exitCode(awaitFinished(withBrokenPerl, job))).isEqualTo(5);
            assertThat(output(withBrokenPerl, job, LogStream.STDOUT)).isEqualTo("out\n");
            assertThat(withBrokenPerl.spawnerPid()).isEqualTo(-1);
            assertThat(Files.readString(otherRoot.resolve(".job-spawner.log"))).contains("Time/HiRes.pm");
            LocalHostExecutorTest.awaitWrappersGone(withBrokenPerl);
        }
    }

    @Test
    void withoutPerlJobsStartAndStopThroughTheLauncherScripts(@TempDir Path bin, @TempDir Path otherRoot)
            throws Exception {
        Map<String, String> environment = new HashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        environment.put("PATH", binWithoutPerl(bin).toString());
        try (LocalHostExecutor withoutPerl = new LocalHostExecutor(otherRoot, environment)) {
            JobHandle done = withoutPerl.start(JobLaunch.of("done", List.of("echo out", "echo err >&2", "exit 2")));
            JobHandle sleeping = withoutPerl.start(JobLaunch.of("sleeping", List.of("echo ready", "sleep 60")));
            awaitOutput(withoutPerl, sleeping, "ready");

            withoutPerl.kill(sleeping);

            assertThat(exitCode(awaitFinished(withoutPerl, sleeping))).isEqualTo(137);
            assertThat(exitCode(awaitFinished(withoutPerl, done))).isEqualTo(2);
            assertThat(output(withoutPerl, done, LogStream.STDOUT)).isEqualTo("out\n");
            assertThat(output(withoutPerl, done, LogStream.STDERR)).isEqualTo("err\n");
            assertThat(withoutPerl.spawnerPid()).isEqualTo(-1);
            assertThat(withoutPerl.jobDirectory(done).resolve("job-wrapper.sh")).exists();
            LocalHostExecutorTest.awaitWrappersGone(withoutPerl);
        }
    }
}
