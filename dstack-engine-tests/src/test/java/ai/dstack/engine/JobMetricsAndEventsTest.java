package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.event.Event;
import ai.dstack.api.event.ListEventsRequest;
import ai.dstack.api.metrics.JobMetrics;
import ai.dstack.api.metrics.Metric;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.MetricsSettings;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.core.internal.host.LocalResourceDetector;
import ai.dstack.testing.SettableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job metrics, {@code utilization_policy} and events on the local fleet: real processes sampled through /proc, and a
 * fake {@code nvidia-smi} on the jobs' PATH whose utilization the test writes to a file.
 */
class JobMetricsAndEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final MetricsSettings FAST = MetricsSettings.DSTACK.withCollectInterval(Duration.ofMillis(200));

    @TempDir
    Path dir;

    private Path gpuUtil;
    private final List<DstackEngine> engines = new ArrayList<>();

    @BeforeEach
    void fakeNvidiaSmi() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        gpuUtil = dir.resolve("gpu-util");
        Files.writeString(gpuUtil, "95");
        Path smi = bin.resolve("nvidia-smi");
        // Two GPUs as nvidia-smi's CSV query prints them: utilization %, memory used and total in MiB.
        Files.writeString(smi, "#!/bin/sh\nu=$(cat '" + gpuUtil + "')\necho \"$u, 1024, 81920\"\necho \"$u, 2048, 81920\"\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(DstackEngine::close);
    }

    private DstackEngine engine(Clock clock, MetricsSettings metrics) {
        return engine(clock, metrics, dir.resolve("bin"));
    }

    /** An engine whose jobs (and their usage sampling) find the GPU tools of {@code bin} first on their PATH. */
    private DstackEngine engine(Clock clock, MetricsSettings metrics, Path bin) {
        Map<String, String> env = new LinkedHashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        env.put("PATH", bin + ":" + env.get("PATH"));
        Path server = dir.resolve("server");
        DstackEngine engine = DstackEngine.builder().serverDirectory(server).clock(clock).metrics(metrics)
                .hostExecutor(new LocalHostExecutor(server.resolve("local").resolve("jobs"), env),
                        new LocalResourceDetector(server).detect())
                .build();
        engines.add(engine);
        return engine;
    }

    private static TaskConfiguration task(String yaml) {
        return DstackYaml.parse("type: task\n" + yaml, "test.dstack.yml", TaskConfiguration.class);
    }

    private static String name(Run run) {
        return run.runSpec().runName();
    }

    private static double latest(JobMetrics metrics, String name) {
        return metrics.metric(name).orElseThrow(() -> new AssertionError("no " + name + " in " + metrics))
                .latest().doubleValue();
    }

    @Test
    void aJobThatBurnsCpuShowsItInItsMetricsWithTheGpusOfItsHost() throws Exception {
        DstackEngine engine = engine(Clock.systemUTC(), FAST);
        Run run = engine.applyRun(task("commands:\n  - while :; do :; done\n"));

        await().atMost(WAIT).untilAsserted(() -> {
            JobMetrics metrics = engine.getJobMetrics("main", name(run), 0, 0, 1);
            // A busy loop shows; an idle job would read 0 (the shared test machine gives it less than a full CPU).
            assertThat(latest(metrics, "cpu_usage_percent")).isGreaterThan(5);
            assertThat(latest(metrics, "cpus_detected_num")).isGreaterThanOrEqualTo(1);
            assertThat(latest(metrics, "memory_working_set_bytes")).isGreaterThan(0);
            assertThat(latest(metrics, "memory_usage_bytes")).isGreaterThanOrEqualTo(latest(metrics, "memory_working_set_bytes"));
            assertThat(latest(metrics, "memory_total_bytes")).isGreaterThan(latest(metrics, "memory_usage_bytes"));
            assertThat(latest(metrics, "gpus_detected_num")).isEqualTo(2);
            assertThat(latest(metrics, "gpu_util_percent_gpu0")).isEqualTo(95);
            assertThat(latest(metrics, "gpu_memory_usage_bytes_gpu1")).isEqualTo(2048.0 * 1024 * 1024);
            assertThat(latest(metrics, "gpu_memory_total_bytes")).isEqualTo(81920.0 * 1024 * 1024);
        });
        JobMetrics five = engine.getJobMetrics("main", name(run), 0, 0, 5);
        await().atMost(WAIT).until(() -> engine.getJobMetrics("main", name(run), 0, 0, 5).metrics().get(0).values().size() == 5);
        Metric cpu = engine.getJobMetrics("main", name(run), 0, 0, 5).metric("cpu_usage_percent").orElseThrow();
        assertThat(cpu.timestamps()).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(five.metrics()).isNotEmpty();
        // Jobs outlive their engine by design: end the busy loop before the engine closes, or it burns a CPU on.
        engine.stopRuns("main", List.of(name(run)), true);
        engine.awaitFinished(name(run), WAIT);
    }

    @Test
    void anAmdHostsGpusShowInTheMetricsAsAmdSmiReportsThem() throws Exception {
        Path amdBin = Files.createDirectories(dir.resolve("amd-bin"));
        Path smi = amdBin.resolve("amd-smi");
        // `amd-smi monitor -vu --csv` as dstack's runner reads it: named columns, gfx in %, VRAM in MB; a GPU whose
        // utilization reads N/A is left out rather than reported as idle.
        Files.writeString(smi, "#!/bin/sh\n[ \"$1 $2 $3\" = 'monitor -vu --csv' ] || exit 2\n"
                + "echo gpu,gfx,umc,vram_used,vram_free,vram_total,vram_percent\n"
                + "echo 0,37,2,283,196309,196592,0.14\necho 1,N/A,0,100,0,196592,0\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        DstackEngine engine = engine(Clock.systemUTC(), FAST, amdBin);
        Run run = engine.applyRun(task("commands:\n  - sleep 600\n"));

        await().atMost(WAIT).untilAsserted(() -> {
            JobMetrics metrics = engine.getJobMetrics("main", name(run), 0, 0, 1);
            assertThat(latest(metrics, "gpus_detected_num")).isEqualTo(1);
            assertThat(latest(metrics, "gpu_util_percent_gpu0")).isEqualTo(37);
            assertThat(latest(metrics, "gpu_memory_usage_bytes_gpu0")).isEqualTo(283.0 * 1024 * 1024);
            assertThat(latest(metrics, "gpu_memory_total_bytes")).isEqualTo(196592.0 * 1024 * 1024);
        });
        engine.stopRuns("main", List.of(name(run)), true);
        engine.awaitFinished(name(run), WAIT);
    }

    @Test
    void utilizationPolicyTerminatesAJobWhoseGpuStaysBelowTheMinimumForTheWholeWindow() throws Exception {
        SettableClock clock = SettableClock.fixedAt(Instant.parse("2026-11-23T10:00:00Z"));
        DstackEngine engine = engine(clock, FAST);
        Run run = engine.applyRun(task("commands:\n  - sleep 600\nutilization_policy:\n  min_gpu_utilization: 10\n"
                + "  time_window: 5m\n"));
        awaitSampleAt(engine, run, clock.instant());

        // Busy GPUs over a covered window: the job goes on.
        clock.advance(Duration.ofSeconds(270));
        awaitSampleAt(engine, run, clock.instant());
        assertThat(engine.getRun("main", name(run)).status()).isEqualTo(RunStatus.RUNNING);

        // Idle from now on; the first window that holds only idle samples and is covered stops the job.
        Files.writeString(gpuUtil, "3");
        clock.advance(Duration.ofSeconds(400));
        awaitSampleAt(engine, run, clock.instant());
        assertThat(engine.getRun("main", name(run)).status()).as("one sample does not cover the window").isEqualTo(RunStatus.RUNNING);
        clock.advance(Duration.ofSeconds(270));

        Run finished = engine.awaitFinished(name(run), WAIT);
        // As for inactivity: a job the server terminated fails its run (job_failed).
        assertThat(finished.status()).isEqualTo(RunStatus.FAILED);
        assertThat(finished.terminationReason()).isEqualTo("job_failed");
        var job = finished.jobs().get(0).latestSubmission();
        assertThat(job.status()).isEqualTo(JobStatus.TERMINATED);
        assertThat(job.terminationReason()).isEqualTo("terminated_due_to_utilization_policy");
        assertThat(job.terminationReasonMessage()).isEqualTo("The job GPU utilization below 10% for 300 seconds");
    }

    private static void awaitSampleAt(DstackEngine engine, Run run, Instant at) {
        await().atMost(WAIT).untilAsserted(() -> {
            JobMetrics metrics = engine.getJobMetrics("main", name(run), 0, 0, 1);
            assertThat(metrics.metrics()).isNotEmpty();
            assertThat(metrics.metrics().get(0).timestamps().get(0)).isEqualTo(at);
        });
    }

    @Test
    void theEventsOfARunsLifeComeBackInOrderWithinTheRun() throws Exception {
        DstackEngine engine = engine(Clock.systemUTC(), FAST);
        // One run at a time: a task takes the whole local host.
        Run other = engine.applyRun(task("commands:\n  - echo other\n"));
        engine.awaitFinished(name(other), WAIT);
        Run run = engine.applyRun(task("commands:\n  - echo hello\n"));
        engine.awaitFinished(name(run), WAIT);

        List<Event> events = engine.listEvents(ListEventsRequest.all(100).withinRuns(List.of(engine.getRun("main", name(run)).id()))
                .ascending(true));
        List<String> messages = events.stream().map(Event::message).toList();
        assertThat(messages.get(0)).isIn("Run submitted. Status: SUBMITTED", "Job created on run submission. Status: SUBMITTED");
        assertThat(messages).contains("Run submitted. Status: SUBMITTED", "Job created on run submission. Status: SUBMITTED");
        assertThat(messages).containsSubsequence("Job status changed SUBMITTED -> PROVISIONING",
                "Job status changed PROVISIONING -> RUNNING",
                "Job status changed RUNNING -> DONE. Termination reason: DONE_BY_RUNNER");
        assertThat(messages.get(messages.size() - 1)).endsWith("-> DONE");
        assertThat(events).allSatisfy(event -> assertThat(event.targets()).allSatisfy(target -> {
            assertThat(target.type()).isIn("run", "job");
            assertThat(target.name()).startsWith(name(run));
            assertThat(target.projectName()).isEqualTo("main");
        }));
        Event submitted = events.stream().filter(e -> e.message().startsWith("Run submitted")).findFirst().orElseThrow();
        assertThat(submitted.actorUser()).isEqualTo("admin");
        assertThat(events.stream().filter(e -> e.message().startsWith("Job status")).map(Event::actorUserId)).containsOnlyNulls();

        // Newest first, in pages of two.
        List<Event> page = engine.listEvents(ListEventsRequest.all(2).withinRuns(List.of(engine.getRun("main", name(run)).id())));
        assertThat(page).containsExactly(events.get(events.size() - 1), events.get(events.size() - 2));
        assertThat(engine.listEvents(ListEventsRequest.all(2).withinRuns(List.of(engine.getRun("main", name(run)).id())).after(page.get(1))))
                .containsExactly(events.get(events.size() - 3), events.get(events.size() - 4));
    }

    @Test
    void retentionPrunesOldSamplesAndEvents() throws Exception {
        SettableClock clock = SettableClock.fixedAt(Instant.parse("2026-11-23T10:00:00Z"));
        DstackEngine engine = engine(clock, FAST.withEventsTtl(Duration.ofHours(1))
                .withMetricsTtl(Duration.ofMinutes(30), Duration.ofHours(1)));
        Run run = engine.applyRun(task("commands:\n  - sleep 600\n"));
        awaitSampleAt(engine, run, clock.instant());
        assertThat(engine.listEvents(ListEventsRequest.all(100))).isNotEmpty();
        Instant start = clock.instant();

        clock.advance(Duration.ofHours(2));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(engine.listEvents(ListEventsRequest.all(100))).allSatisfy(
                    event -> assertThat(event.recordedAt()).isAfter(start));
            JobMetrics metrics = engine.getJobMetrics("main", name(run), 0, 0, 100);
            assertThat(metrics.metrics()).isNotEmpty();
            assertThat(metrics.metrics()).allSatisfy(metric -> assertThat(metric.timestamps())
                    .allSatisfy(t -> assertThat(t).isAfter(start)));
        });
        // Jobs outlive their engine by design: end the sleep before the engine closes (a stop request alone left it).
        engine.stopRuns("main", List.of(name(run)), true);
        engine.awaitFinished(name(run), WAIT);
    }
}
