package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.client.FollowLogsRequest;
import ai.dstack.client.RunQuery;
import ai.dstack.core.app.ServerStatistics.DatabaseWork;
import ai.dstack.core.DstackEngine;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine end to end on the local fleet, with real processes and a real database; subclasses supply the
 * database (a SQLite file, embedded PostgreSQL).
 */
abstract class EngineContractTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** Jobs write their markers here; run as root, the engine gives them users of their own. */
    @org.junit.jupiter.api.BeforeEach
    void jobsMayWriteInTheTestsDirectory() throws Exception {
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    private final List<DstackEngine> engines = new ArrayList<>();

    /** A fresh, empty database for this test. */
    protected abstract String newDatabaseUrl() throws Exception;

    private String databaseUrl;

    protected DstackEngine engine() throws Exception {
        return engine(null);
    }

    protected DstackEngine engine(Integer blocks) throws Exception {
        return engine(blocks, Clock.systemUTC());
    }

    protected DstackEngine engine(Integer blocks, Clock clock) throws Exception {
        return engine(blocks, clock, ai.dstack.core.RunLimits.defaults());
    }

    protected DstackEngine engine(Integer blocks, Clock clock, ai.dstack.core.RunLimits limits) throws Exception {
        return engine(blocks, clock, limits, null);
    }

    /** @param containerRuntime podman, docker, none, or null to detect */
    protected DstackEngine engine(Integer blocks, Clock clock, String containerRuntime) throws Exception {
        return engine(blocks, clock, ai.dstack.core.RunLimits.defaults(), containerRuntime);
    }

    protected DstackEngine engine(Integer blocks, Clock clock, ai.dstack.core.RunLimits limits, String containerRuntime)
            throws Exception {
        return engine(blocks, clock, limits, containerRuntime, ai.dstack.core.LocalFleetAccess.ADMINS);
    }

    protected DstackEngine engine(Integer blocks, Clock clock, ai.dstack.core.RunLimits limits, String containerRuntime,
            ai.dstack.core.LocalFleetAccess localFleet) throws Exception {
        if (databaseUrl == null) {
            databaseUrl = newDatabaseUrl();
        }
        DstackEngine.Builder builder = DstackEngine.builder().serverDirectory(dir.resolve("server")).databaseUrl(databaseUrl)
                .clock(clock).runLimits(limits).containerRuntime(containerRuntime).localFleet(localFleet);
        if (blocks != null) {
            builder.localBlocks(blocks);
        }
        DstackEngine engine = builder.build();
        engines.add(engine);
        return engine;
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(DstackEngine::close);
    }

    static TaskConfiguration task(String yaml) {
        return DstackYaml.parse("type: task\n" + yaml, "test.dstack.yml", TaskConfiguration.class);
    }

    static String name(Run run) {
        return run.runSpec().runName();
    }

    static String logText(DstackEngine engine, Run run) {
        return engine.pollLogs(engine.defaultProject(), name(run)).logs().stream()
                .map(LogEvent::text).collect(Collectors.joining());
    }

    static JobSubmission latest(Run run) {
        return run.jobs().get(0).latestSubmission();
    }

    @Test
    void aTaskRunsToDoneAndItsOutputIsStored() throws Exception {
        DstackEngine engine = engine();
        Run run = engine.applyRun(task("commands:\n  - echo hello from $DSTACK_RUN_NAME\n  - echo to stderr >&2\n"));
        assertThat(run.status()).as("just submitted; the engine may already be at it").isIn(RunStatus.SUBMITTED, RunStatus.PROVISIONING, RunStatus.RUNNING, RunStatus.DONE);

        Run done = engine.awaitFinished(name(run), WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(done.terminationReason()).isEqualTo("all_jobs_done");
        assertThat(latest(done).status()).isEqualTo(JobStatus.DONE);
        assertThat(latest(done).exitStatus()).isZero();
        assertThat(latest(done).statusMessage()).isEqualTo("exited (0)");
        assertThat(latest(done).jobProvisioningData().backend()).isEqualTo("remote");
        assertThat(logText(engine, done)).contains("hello from " + name(run) + "\n", "to stderr\n");
    }

    /**
     * The queue: 500 jobs wait for the one block, each freed block starts the highest-priority, then oldest, waiting
     * job, and the waiting jobs are not rewritten meanwhile, even long after they started waiting: freed capacity
     * alone moves the queue. Counted with the store's statement counter, a started job costs the same
     * early and late in the queue, far below the cost of claiming and rewriting a batch of waiting jobs per block.
     */
    /** How many jobs the queue test queues: 500 on SQLite; fewer where each costs more time (a database server). */
    protected int queuedJobs() {
        return 500;
    }

    /**
     * Called once the queue test's engine has started, before its first run: a database may start recording what
     * the test's failure message should show (see {@link #queueDiagnostics()}).
     */
    protected void startQueueDiagnostics() throws Exception {}

    /** What the queue test adds to its failure message: nothing unless a subclass records something. */
    protected String queueDiagnostics() {
        return "";
    }

    @Test
    void queuedJobsStartInPriorityOrderOneBlockAtATimeAndAreNotRewrittenWhileTheyWait() throws Exception {
        int queued = queuedJobs();
        Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
        SettableClock clock = SettableClock.fixedAt(t0);
        // No quota: the queue is longer than a user's default limit of active runs.
        DstackEngine engine = engine(1, clock, new ai.dstack.core.RunLimits(0, 0));
        startQueueDiagnostics();
        String small = "resources:\n  cpu: 0..\n  memory: 0GB..\n";
        Path go = dir.resolve("go");
        Path order = dir.resolve("order");
        // Each job appends here (as a user of its own when the engine runs as root).
        Files.createFile(order, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-")));
        Files.setPosixFilePermissions(order, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        Run blocker = engine.applyRun(task(small + "commands:\n  - while [ ! -f " + go + " ]; do sleep 0.05; done\n"));
        await().atMost(WAIT).until(() -> engine.getRun(engine.defaultProject(), name(blocker)).status() == RunStatus.RUNNING);

        List<String> expected = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < queued; i++) {
            clock.set(t0.plusMillis(i + 1)); // submission order is the order of submitted_at
            int priority = i * 37 % 100;
            expected.add(String.format("%03d %03d", 100 - priority, i));
            names.add(name(engine.applyRun(task(small + "priority: " + priority + "\nretry:\n  on_events: [no-capacity]\n"
                    + "  duration: 1h\ncommands:\n  - echo " + String.format("%03d %03d", 100 - priority, i) + " >> " + order + "\n"))));
        }
        await().atMost(WAIT).until(() -> allRuns(engine).stream()
                .filter(run -> names.contains(name(run))).allMatch(run -> "retrying".equals(run.statusMessage())));
        // Time moves on nine minutes, far past the capacity retry interval (15 s; under the safety net's 10 min that
        // covers a dead replica): the sweeps leave waiting jobs alone, and a job rewritten from now on would show it in
        // its last_processed_at.
        Instant later = t0.plusSeconds(540);
        clock.set(later);
        awaitQuiet(engine);

        DatabaseWork start = engine.statistics().databaseWork();
        Files.createFile(go);
        int earlyEnd = queued / 5;
        int lateBegin = queued * 3 / 5;
        DatabaseWork early = awaitLines(order, earlyEnd, engine);
        awaitLines(order, queued / 2, engine);
        List<Run> waiting = allRuns(engine).stream()
                .filter(run -> names.contains(name(run)) && latest(run).status() == JobStatus.SUBMITTED).toList();
        DatabaseWork lateStart = awaitLines(order, lateBegin, engine);
        DatabaseWork end = awaitLines(order, queued, engine);

        List<String> expectedOrder = new ArrayList<>(expected);
        java.util.Collections.sort(expectedOrder);
        List<String> started = Files.readAllLines(order);
        try {
            assertThat(started).containsExactlyElementsOf(expectedOrder);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + queueDiagnostics(), e);
        }
        assertThat(waiting).as("jobs still waiting half-way").hasSizeGreaterThan(queued / 5);
        assertThat(waiting).allSatisfy(run -> assertThat(latest(run).lastProcessedAt()).as(name(run) + " was rewritten")
                .isBefore(later));
        double earlyPerJob = early.minus(start).statements() / (double) earlyEnd;
        double latePerJob = end.minus(lateStart).statements() / (double) (queued - lateBegin);
        System.out.printf("queue of %d: %.1f statements per started job early, %.1f late%n", queued, earlyPerJob, latePerJob);
        assertThat(earlyPerJob).as("statements per started job early in the queue").isLessThan(60);
        assertThat(latePerJob).as("statements per started job late in the queue").isLessThan(60);
        for (String name : names) {
            assertThat(engine.awaitFinished(name, WAIT).status()).isEqualTo(RunStatus.DONE);
        }
    }

    /**
     * Fair order across users (#13): the admin queues 20 jobs, then bea queues 5, all of one priority, behind a job
     * holding the one block. As blocks free one at a time, bea's jobs interleave with the admin's (the admin's 1st,
     * bea's 1st, the admin's 2nd, ...) instead of waiting behind the admin's whole backlog; then the admin's rest.
     */
    @Test
    void waitingJobsOfTwoUsersInterleaveAsCapacityFreesOneBlockAtATime() throws Exception {
        Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
        SettableClock clock = SettableClock.fixedAt(t0);
        DstackEngine engine = engine(1, clock, new ai.dstack.core.RunLimits(0, 0), null,
                ai.dstack.core.LocalFleetAccess.MEMBERS);
        engine.createUser(ai.dstack.client.NewUser.of("bea", ai.dstack.api.user.GlobalRole.USER));
        engine.addMembers(engine.defaultProject(), List.of(new ai.dstack.client.MemberSetting("bea",
                ai.dstack.api.user.ProjectRole.USER)));
        ai.dstack.client.DstackClient bea = engine.client(engine.refreshToken("bea").creds().token());
        String small = "resources:\n  cpu: 0..\n  memory: 0GB..\nretry:\n  on_events: [no-capacity]\n  duration: 1h\n";
        Path go = dir.resolve("go");
        Path order = dir.resolve("order");
        Files.createFile(order);
        Files.setPosixFilePermissions(order, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        Run blocker = engine.applyRun(task(small + "commands:\n  - while [ ! -f " + go + " ]; do sleep 0.05; done\n"));
        await().atMost(WAIT).until(() -> engine.getRun(engine.defaultProject(), name(blocker)).status() == RunStatus.RUNNING);

        List<String> names = new ArrayList<>();
        int tick = 0;
        for (int i = 0; i < 20; i++) {
            clock.set(t0.plusMillis(++tick));
            names.add(name(engine.applyRun(task(small + "commands:\n  - echo admin " + i + " >> " + order + "\n"))));
        }
        for (int i = 0; i < 5; i++) {
            clock.set(t0.plusMillis(++tick));
            names.add(name(bea.applyRun(engine.defaultProject(),
                    task(small + "commands:\n  - echo bea " + i + " >> " + order + "\n"))));
        }
        await().atMost(WAIT).until(() -> allRuns(engine).stream()
                .filter(run -> names.contains(name(run))).allMatch(run -> "retrying".equals(run.statusMessage())));

        Files.createFile(go);
        awaitLines(order, names.size(), engine);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            expected.add("admin " + i);
            expected.add("bea " + i);
        }
        for (int i = 5; i < 20; i++) {
            expected.add("admin " + i);
        }
        assertThat(Files.readAllLines(order)).containsExactlyElementsOf(expected);
        for (String name : names) {
            assertThat(engine.awaitFinished(name, WAIT).status()).isEqualTo(RunStatus.DONE);
        }
    }

    /** Every run of the default project, page by page (a page holds at most {@link RunQuery#MAX_LIMIT}). */
    private static List<Run> allRuns(DstackEngine engine) {
        List<Run> all = new ArrayList<>();
        RunQuery query = RunQuery.ofProject(engine.defaultProject());
        for (List<Run> page = engine.listRuns(query); !page.isEmpty(); page = engine.listRuns(query)) {
            all.addAll(page);
            Run last = page.get(page.size() - 1);
            query = query.toBuilder().prevSubmittedAt(last.submittedAt()).prevRunId(last.id()).build();
        }
        return all;
    }

    /**
     * The store's counts once the order file has {@code lines} lines. Up to hundreds of jobs start one after the other
     * here: on a loaded machine that takes minutes, so the wait is longer than for one job.
     */
    private static DatabaseWork awaitLines(Path file, int lines, DstackEngine engine) {
        await().atMost(WAIT.multipliedBy(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> Files.exists(file) && Files.readAllLines(file).size() >= lines);
        return engine.statistics().databaseWork();
    }

    /** Waits until the engine has sent no statement for half a second. */
    private static void awaitQuiet(DstackEngine engine) throws InterruptedException {
        DatabaseWork last = engine.statistics().databaseWork();
        long quietSince = System.nanoTime();
        while (System.nanoTime() - quietSince < 500_000_000L) {
            Thread.sleep(50);
            DatabaseWork now = engine.statistics().databaseWork();
            if (!now.equals(last)) {
                last = now;
                quietSince = System.nanoTime();
            }
        }
    }

    @Test
    void aScheduledRunWaitsPendingRunsWhenItsCronFiresThenWaitsForTheNextFireUntilStopped() throws Exception {
        SettableClock clock = SettableClock.fixedAt(Instant.parse("2026-11-23T10:15:30Z"));
        DstackEngine engine = engine(null, clock);

        Run run = engine.applyRun(task("commands:\n  - echo tick\nschedule:\n  cron: ['*/5 * * * *', '0 11 * * *']\n"));

        assertThat(run.status()).isEqualTo(RunStatus.PENDING);
        assertThat(run.nextTriggeredAt()).isEqualTo(Instant.parse("2026-11-23T10:20:00Z"));
        assertThat(engine.getRun(engine.defaultProject(), name(run)).jobs().stream().flatMap(job -> job.jobSubmissions().stream())).isEmpty();

        clock.set(Instant.parse("2026-11-23T10:20:00Z"));
        await().atMost(WAIT).untilAsserted(() -> {
            Run again = engine.getRun(engine.defaultProject(), name(run));
            assertThat(again.jobs()).isNotEmpty();
            assertThat(latest(again).status()).isEqualTo(JobStatus.DONE);
            assertThat(again.status()).isEqualTo(RunStatus.PENDING);
            assertThat(again.nextTriggeredAt()).isEqualTo(Instant.parse("2026-11-23T10:25:00Z"));
        });
        assertThat(logText(engine, run)).contains("tick\n");

        clock.set(Instant.parse("2026-11-23T10:25:00Z"));
        await().atMost(WAIT).untilAsserted(() -> {
            Run again = engine.getRun(engine.defaultProject(), name(run));
            assertThat(latest(again).submissionNum()).isEqualTo(1);
            assertThat(latest(again).status()).isEqualTo(JobStatus.DONE);
            assertThat(again.status()).isEqualTo(RunStatus.PENDING);
        });

        engine.stopRuns(engine.defaultProject(), List.of(name(run)), false);
        Run stopped = engine.awaitFinished(name(run), WAIT);
        assertThat(stopped.status()).isEqualTo(RunStatus.TERMINATED);
        assertThat(stopped.terminationReason()).isEqualTo("stopped_by_user");
    }

    @Test
    void aCronThatDoesNotParseIsRefusedAtSubmission() throws Exception {
        DstackEngine engine = engine();

        assertThatThrownBy(() -> engine.applyRun(task("commands: [x]\nschedule:\n  cron: every hour\n")))
                .isInstanceOf(DstackException.class)
                .hasMessageContaining("Invalid cron expression 'every hour': wrong number of fields");
    }

    @Test
    void aFailingCommandFailsTheRunWithItsExitCodeAndStopsTheCommands() throws Exception {
        DstackEngine engine = engine();
        Run run = engine.applyRun(task("commands:\n  - echo before\n  - exit 3\n  - echo after\n"));

        Run failed = engine.awaitFinished(name(run), WAIT);

        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.terminationReason()).isEqualTo("job_failed");
        assertThat(latest(failed).exitStatus()).isEqualTo(3);
        assertThat(latest(failed).terminationReason()).isEqualTo("container_exited_with_error");
        assertThat(latest(failed).statusMessage()).isEqualTo("exited (3)");
        assertThat(logText(engine, failed)).contains("before").doesNotContain("after");
    }

    @Test
    void stopTerminatesARunningTaskGracefully() throws Exception {
        DstackEngine engine = engine();
        Run run = engine.applyRun(task("commands:\n  - trap 'echo got TERM; exit 0' TERM; echo started; while true; do sleep 0.1; done\n"));
        await().atMost(WAIT).until(() -> engine.getRun(engine.defaultProject(), name(run)).status() == RunStatus.RUNNING
                && logText(engine, run).contains("started"));

        engine.stopRuns(engine.defaultProject(), List.of(name(run)), false);
        Run stopped = engine.awaitFinished(name(run), WAIT);

        assertThat(stopped.status()).isEqualTo(RunStatus.TERMINATED);
        assertThat(stopped.terminationReason()).isEqualTo("stopped_by_user");
        assertThat(latest(stopped).status()).isEqualTo(JobStatus.TERMINATED);
        assertThat(latest(stopped).terminationReason()).isEqualTo("terminated_by_user");
        assertThat(latest(stopped).statusMessage()).isEqualTo("stopped");
        assertThat(logText(engine, stopped)).contains("got TERM");
    }

    @Test
    void abortKillsAtOnceEvenAJobThatIgnoresTerm() throws Exception {
        DstackEngine engine = engine();
        Run run = engine.applyRun(task("commands:\n  - trap '' TERM; echo started; while true; do sleep 0.1; done\n"));
        await().atMost(WAIT).until(() -> logText(engine, run).contains("started"));

        engine.stopRuns(engine.defaultProject(), List.of(name(run)), true);
        Run aborted = engine.awaitFinished(name(run), Duration.ofSeconds(20));

        assertThat(aborted.status()).isEqualTo(RunStatus.TERMINATED);
        assertThat(aborted.terminationReason()).isEqualTo("aborted_by_user");
        assertThat(latest(aborted).status()).isEqualTo(JobStatus.ABORTED);
    }

    /**
     * Stopping many runs in one call (dstack's {@code runs/stop} takes a list) claims and writes them together: a few
     * write transactions for the call, where one run at a time took two each. Unknown and finished names are ignored.
     */
    @Test
    void stoppingManyRunsInOneCallWritesThemTogether() throws Exception {
        int count = 30;
        DstackEngine engine = engine(count + 1, Clock.systemUTC(), new ai.dstack.core.RunLimits(0, 0));
        String small = "resources:\n  cpu: 0..\n  memory: 0GB..\n";
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(name(engine.applyRun(task(small + "commands:\n  - sleep 600\n"))));
        }
        Run done = engine.applyRun(task(small + "commands:\n  - echo done\n"));
        engine.awaitFinished(name(done), WAIT);
        await().atMost(WAIT).until(() -> names.stream()
                .allMatch(name -> engine.getRun(engine.defaultProject(), name).status() == RunStatus.RUNNING));
        awaitQuiet(engine);

        List<String> asked = new ArrayList<>(names);
        asked.add("no-such-run");
        asked.add(name(done));
        DatabaseWork before = engine.statistics().databaseWork();
        engine.stopRuns(engine.defaultProject(), asked, true);
        DatabaseWork stop = engine.statistics().databaseWork().minus(before);

        assertThat(stop.writeTransactions()).as("write transactions of one stop of %d runs", count).isLessThan(count / 3);
        for (String name : names) {
            Run aborted = engine.awaitFinished(name, WAIT);
            assertThat(aborted.status()).isEqualTo(RunStatus.TERMINATED);
            assertThat(aborted.terminationReason()).isEqualTo("aborted_by_user");
        }
        assertThat(engine.getRun(engine.defaultProject(), name(done)).status()).isEqualTo(RunStatus.DONE);
    }

    @Test
    void maxDurationEndsTheJob() throws Exception {
        DstackEngine engine = engine();
        Run run = engine.applyRun(task("max_duration: 1s\nstop_duration: 1s\ncommands:\n  - sleep 60\n"));

        Run ended = engine.awaitFinished(name(run), WAIT);

        assertThat(latest(ended).terminationReason()).isEqualTo("max_duration_exceeded");
        assertThat(latest(ended).status()).isEqualTo(JobStatus.TERMINATED);
        assertThat(ended.status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void aJobFailingWithRetryOnErrorIsResubmittedAndCanSucceed() throws Exception {
        DstackEngine engine = engine();
        Path marker = dir.resolve("marker");
        Run run = engine.applyRun(task("retry:\n  on_events: [error]\n  duration: 1h\ncommands:\n"
                + "  - if [ -f " + marker + " ]; then echo second; else touch " + marker + "; echo first; exit 1; fi\n"));

        Run done = engine.awaitFinished(name(run), WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        List<JobSubmission> submissions = done.jobs().get(0).jobSubmissions();
        assertThat(submissions).extracting(JobSubmission::submissionNum).containsExactly(0, 1);
        assertThat(submissions.get(0).status()).isEqualTo(JobStatus.FAILED);
        assertThat(submissions.get(1).status()).isEqualTo(JobStatus.DONE);
    }

    @Test
    void aJobThatKeepsFailingIsRetriedWithGrowingDelaysAndItsFilesAreRemovedOnceItsLogsAreStored() throws Exception {
        SettableClock clock = SettableClock.fixedAt(Instant.parse("2026-11-23T10:00:00Z"));
        DstackEngine engine = engine(null, clock);
        Run run = engine.applyRun(task("retry:\n  on_events: [error]\n  duration: 1h\ncommands:\n"
                + "  - echo attempt $DSTACK_RUN_NAME\n  - exit 1\n"));

        // The first failure is submitted again at once; the second waits 15 s, the third 30 s (the engine's clock).
        awaitFailedSubmissions(engine, run, 2);
        await().atMost(WAIT).until(() -> engine.getRun(engine.defaultProject(), name(run)).statusMessage().equals("retrying"));
        clock.set(Instant.parse("2026-11-23T10:00:14Z"));
        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> submissions(engine, run).size() == 2);
        // The engine hints the run when the delay ends: a timer on the engine's clock that the loops look at every
        // step (at least every 2 s); the sweep leaves waiting runs alone. Each step below moves the clock past the
        // delay, so the timer fires at the next step.
        clock.set(Instant.parse("2026-11-23T10:00:30Z"));
        awaitFailedSubmissions(engine, run, 3);
        clock.set(Instant.parse("2026-11-23T10:00:59Z")); // the third failed at :30: due at :60
        await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> submissions(engine, run).size() == 3);
        clock.set(Instant.parse("2026-11-23T10:01:15Z"));
        awaitFailedSubmissions(engine, run, 4);

        // The output is stored (logs show the latest submission's); the finished jobs' directories go once their
        // logs are stored, which may come a moment after the last submission turned failed.
        assertThat(logText(engine, run)).isEqualTo("attempt " + name(run) + "\n");
        await().atMost(WAIT).untilAsserted(() -> {
            for (JobSubmission submission : submissions(engine, run)) {
                assertThat(dir.resolve("server/local/jobs").resolve(submission.id().toString()))
                        .as("files of finished submission %d", submission.submissionNum()).doesNotExist();
            }
        });
        engine.stopRuns(engine.defaultProject(), List.of(name(run)), false);
        assertThat(engine.awaitFinished(name(run), WAIT).status()).isEqualTo(RunStatus.TERMINATED);
    }

    private static List<JobSubmission> submissions(DstackEngine engine, Run run) {
        return engine.getRun(engine.defaultProject(), name(run)).jobs().get(0).jobSubmissions();
    }

    private static void awaitFailedSubmissions(DstackEngine engine, Run run, int count) {
        await().atMost(WAIT).untilAsserted(() -> assertThat(submissions(engine, run))
                .hasSize(count).allSatisfy(s -> assertThat(s.status()).isEqualTo(JobStatus.FAILED)));
    }

    @Test
    void withoutRetryANoCapacityJobFailsAndWithRetryItQueuesByPriority() throws Exception {
        DstackEngine engine = engine(1);
        Path order = dir.resolve("order");
        // Each job appends here (as a user of its own when the engine runs as root).
        Files.createFile(order, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-")));
        Files.setPosixFilePermissions(order, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        // The blocker holds the only block until all three are queued (a gate, not a sleep: a busy machine may take
        // longer than any sleep to submit them).
        Path gate = dir.resolve("queue-gate");
        Run blocker = engine.applyRun(task("commands:\n  - while [ ! -e " + gate + " ]; do sleep 0.05; done\n"));
        await().atMost(WAIT).until(() -> engine.getRun(engine.defaultProject(), name(blocker)).status() == RunStatus.RUNNING);

        Run noRetry = engine.applyRun(task("commands:\n  - echo never\n"));
        List<Run> queued = new ArrayList<>();
        for (int priority : new int[] {10, 50, 30}) {
            queued.add(engine.applyRun(task("priority: " + priority + "\nretry:\n  on_events: [no-capacity]\n  duration: 1h\n"
                    + "commands:\n  - echo " + priority + " >> " + order + "\n")));
        }

        Run failed = engine.awaitFinished(name(noRetry), WAIT);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(latest(failed).terminationReason()).isEqualTo("failed_to_start_due_to_no_capacity");
        assertThat(latest(failed).statusMessage()).isEqualTo("no capacity");
        for (Run run : queued) {
            await().atMost(WAIT).until(() -> engine.getRun(engine.defaultProject(), name(run)).statusMessage()
                    .equals("retrying"));
        }
        Files.createFile(gate);
        await().atMost(WAIT).until(() -> List.of("retrying", "running", "done", "provisioning")
                .contains(engine.getRun(engine.defaultProject(), name(queued.get(0))).statusMessage()));
        for (Run run : queued) {
            assertThat(engine.awaitFinished(name(run), WAIT).status()).isEqualTo(RunStatus.DONE);
        }
        assertThat(Files.readAllLines(order)).containsExactly("50", "30", "10");
    }

    @Test
    void anEngineStartedAgainPicksUpRunningAndFinishedJobs() throws Exception {
        DstackEngine first = engine(8);
        String small = "resources:\n  cpu: 0..\n  memory: 0GB..\n";
        Run longRun = first.applyRun(task(small + "commands:\n  - echo one; sleep 2; echo two\n"));
        Run shortRun = first.applyRun(task(small + "commands:\n  - sleep 0.5; echo quick; exit 7\n"));
        await().atMost(WAIT).until(() -> logText(first, longRun).contains("one"));
        first.close();
        engines.remove(first);
        Thread.sleep(1000); // the short job ends while no engine runs

        DstackEngine second = engine(8);
        Run longDone = second.awaitFinished(name(longRun), WAIT);
        Run shortDone = second.awaitFinished(name(shortRun), WAIT);

        assertThat(longDone.status()).isEqualTo(RunStatus.DONE);
        assertThat(logText(second, longDone)).contains("one\n", "two\n");
        assertThat(shortDone.status()).isEqualTo(RunStatus.FAILED);
        assertThat(latest(shortDone).exitStatus()).as("%s", latest(shortDone)).isEqualTo(7);
        assertThat(logText(second, shortDone)).contains("quick\n");
    }

    @Test
    void jobsOutliveAnEngineKilledWithSigkillAndTheNextEngineFinishesThem() throws Exception {
        if (databaseUrl == null) {
            databaseUrl = newDatabaseUrl();
        }
        String yaml = "type: task\nresources:\n  cpu: 0..\n  memory: 0GB..\ncommands:\n"
                + "  - for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i; sleep 0.2; done\n";
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", // as the test JVMs: a short life, two cores
                "-cp", System.getProperty("java.class.path"), EngineChild.class.getName(),
                dir.resolve("server").toString(), databaseUrl, yaml.replace("\n", "\\n"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String runName;
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream()))) {
            String line;
            do {
                line = reader.readLine();
            } while (line != null && !line.startsWith("RUN "));
            assertThat(line).as("the child engine started the run").isNotNull();
            runName = line.substring(4);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, leases left behind
            child.waitFor();
        }

        DstackEngine next = engine(8);
        Run done = next.awaitFinished(runName, WAIT);

        assertThat(done.status()).isEqualTo(RunStatus.DONE);
        assertThat(latest(done).exitStatus()).isZero();
        String logs = logText(next, done);
        for (int i = 1; i <= 10; i++) {
            assertThat(logs.split("line " + i + "\n", -1)).as("line %d stored once in%n%s", i, logs).hasSize(2);
        }
    }

    @Test
    void followingARunDeliversItsLinesAsTheyAreWritten() throws Exception {
        DstackEngine engine = engine();
        Run run = engine.applyRun(task("commands:\n  - for i in 1 2 3; do echo tick $i; sleep 1; done\n"));
        await().atMost(WAIT).until(() -> engine.getRun(engine.defaultProject(), name(run)).status() == RunStatus.RUNNING);
        List<String> lines = new CopyOnWriteArrayList<>();
        List<RunStatus> statusAtFirstLine = new CopyOnWriteArrayList<>();
        FollowLogsRequest often = FollowLogsRequest.newBuilder(name(run)).pollInterval(Duration.ofMillis(100)).build();
        Run finished = engine.followLogs(engine.defaultProject(), often, e -> {
            if (lines.isEmpty()) {
                statusAtFirstLine.add(engine.getRun(engine.defaultProject(), name(run)).status());
            }
            lines.add(e.text());
        });
        assertThat(lines).containsExactly("tick 1\n", "tick 2\n", "tick 3\n");
        assertThat(statusAtFirstLine).as("the first line came while the run was running").containsExactly(RunStatus.RUNNING);
        assertThat(finished.status()).isEqualTo(RunStatus.DONE);
    }

    @Test
    void secretsAndEnvReachTheJobAndAreNotStoredInItsSpec() throws Exception {
        DstackEngine engine = engine();
        engine.setSecret(engine.defaultProject(), "token", "s3cr3t-value");
        Run run = engine.applyRun(task("env:\n  - GREETING=hi\n  - TOKEN=${{ secrets.token }}\n"
                + "commands:\n  - echo $GREETING $TOKEN $DSTACK_NODE_RANK $DSTACK_NODES_NUM\n"
                + "  - echo mpi=$(cat $DSTACK_MPI_HOSTFILE)\n"));

        Run done = engine.awaitFinished(name(run), WAIT);

        assertThat(logText(engine, done)).contains("hi s3cr3t-value 0 1")
                .as("dstack's MPI hostfile: this host, without GPUs").contains("mpi=127.0.0.1\n");
        assertThat(done.jobs().get(0).jobSpec().env()).containsEntry("TOKEN", "${{ secrets.token }}");
    }

    @Test
    void anImageWithoutADockerEngineFailsWithAClearReason() throws Exception {
        DstackEngine engine = engine(null, Clock.systemUTC(), "none"); // a host without a container runtime
        Run run = engine.applyRun(task("image: ubuntu:24.04\ncommands:\n  - echo hi\n"));

        Run failed = engine.awaitFinished(name(run), WAIT);

        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(latest(failed).terminationReason()).isEqualTo("creating_container_error");
        assertThat(latest(failed).terminationReasonMessage()).contains("Docker");
    }

    @Test
    void concurrentSubmissionsAllRunWithoutDatabaseErrors() throws Exception {
        DstackEngine engine = engine(64);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Run>> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            futures.add(pool.submit(() -> engine.applyRun(task("resources:\n  cpu: 0..\n  memory: 0GB..\ncommands:\n  - echo job " + n + "\n"))));
        }
        List<Run> runs = new CopyOnWriteArrayList<>();
        for (Future<Run> future : futures) {
            runs.add(future.get());
        }
        pool.shutdown();
        for (Run run : runs) {
            Run done = engine.awaitFinished(name(run), WAIT);
            assertThat(done.status()).as(name(run)).isEqualTo(RunStatus.DONE);
        }
    }

    @Test
    void withTheLocalFleetTurnedOffARunFailsWithNoFleets() throws Exception {
        databaseUrl = newDatabaseUrl();
        DstackEngine engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).databaseUrl(databaseUrl)
                .localFleet(false).build();
        engines.add(engine);
        Run run = engine.applyRun(task("commands:\n  - echo never\n"));

        Run failed = engine.awaitFinished(name(run), WAIT);

        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(latest(failed).terminationReason()).isEqualTo("failed_to_start_due_to_no_capacity");
        assertThat(latest(failed).statusMessage()).isEqualTo("no fleets");
    }

    @Test
    void unknownRunsAndProjectsAreClearErrors() throws Exception {
        DstackEngine engine = engine();
        assertThatThrownBy(() -> engine.getRun(engine.defaultProject(), "no-such-run"))
                .isInstanceOfSatisfying(DstackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_NOT_EXISTS))
                .hasMessage("Run not found");
        assertThatThrownBy(() -> engine.getRun("nope", "no-such-run"))
                .isInstanceOfSatisfying(DstackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
}
