package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.api.logs.LogEvent;
import ai.dstack.spi.logs.LogQuery;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several replicas (engines with their own owner ids) on one PostgreSQL database, as dstack runs several server
 * replicas. They share the host, so they share the local fleet's jobs directory and can adopt each other's jobs.
 * Each task appends to its own file in {@code starts/} when it starts, so a job started twice shows.
 */
class PostgresReplicasTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final int LINES = 5;
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    private String url;
    private final List<DstackEngine> engines = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void newDatabase() throws Exception {
        String name = "replicas_" + DATABASES.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("CREATE DATABASE " + name);
        }
        url = "postgresql+asyncpg://postgres:postgres@localhost:" + postgres.getPort() + "/" + name;
        Files.createDirectories(dir.resolve("starts"));
        // Jobs record their starts here; run as root, the engine gives them users of their own.
        for (Path shared : List.of(dir, dir.resolve("starts"))) {
            Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        }
    }

    @AfterEach
    void closeEngines() {
        engines.forEach(DstackEngine::close);
    }

    private DstackEngine replica() {
        DstackEngine engine = DstackEngine.builder().serverDirectory(dir.resolve("server")).databaseUrl(url)
                .localBlocks(64).leaseDuration(LEASE).keepFinishedJobFiles(true).build(); // jobDirectories() counts starts
        engines.add(engine);
        return engine;
    }

    /** Writes {@link #LINES} lines, {@code pause} seconds apart, after recording that it started. */
    private String taskYaml(String pause) {
        return "type: task\nresources:\n  cpu: 0..\n  memory: 0GB..\ncommands:\n"
                + "  - echo started >> " + dir.resolve("starts") + "/$DSTACK_RUN_NAME\n"
                + "  - for i in $(seq 1 " + LINES + "); do echo line $i; sleep " + pause + "; done\n";
    }

    private TaskConfiguration task() {
        return DstackYaml.parse(taskYaml("0.2"), "replicas.dstack.yml", TaskConfiguration.class);
    }

    @Test
    void runsSubmittedToAnyReplicaAreProcessedExactlyOnce() throws Exception {
        List<DstackEngine> replicas = List.of(replica(), replica(), replica());
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            names.add(replicas.get(i % replicas.size()).applyRun(task()).runSpec().runName());
        }

        for (int i = 0; i < names.size(); i++) {
            assertRanOnceWithWholeLogs(replicas.get((i + 1) % replicas.size()), names.get(i));
        }
        assertThat(jobDirectories()).as("one job directory per run: no job started twice").hasSize(names.size());
    }

    @Test
    void aReplicaKilledWithSigkillLeavesNothingStuck() throws Exception {
        DstackEngine survivor = replica();
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", // as the test JVMs: a short life, two cores
                "-cp", System.getProperty("java.class.path"), ReplicaChild.class.getName(),
                dir.resolve("server").toString(), url, "6", taskYaml("1").replace("\n", "\\n"),
                Long.toString(LEASE.toMillis()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        // A child that never gets ready must not hang the build: SIGKILL it after a while, which ends the reading.
        Thread watchdog = new Thread(() -> {
            if (!waitFor(child, WAIT)) {
                child.destroyForcibly();
            }
        }, "child-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        List<String> names = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null && !line.equals("READY"); line = reader.readLine()) {
                if (line.startsWith("RUN ")) {
                    names.add(line.substring(4));
                }
            }
        } finally {
            child.destroyForcibly(); // SIGKILL mid-run: no shutdown hooks, leases and running jobs left behind
            child.waitFor();
        }
        assertThat(names).as("the child replica started its runs before it was killed").hasSize(6);
        String alsoHere = survivor.applyRun(task()).runSpec().runName();

        for (String name : names) {
            assertRanOnceWithWholeLogs(survivor, name);
        }
        assertRanOnceWithWholeLogs(survivor, alsoHere);
        assertThat(jobDirectories()).hasSize(names.size() + 1);
    }

    @Test
    void aRollingRestartLosesNothing() throws Exception {
        List<DstackEngine> live = new CopyOnWriteArrayList<>(List.of(replica(), replica(), replica()));
        List<String> names = new CopyOnWriteArrayList<>();
        AtomicBoolean submitting = new AtomicBoolean(true);
        Thread submitter = new Thread(() -> {
            while (submitting.get()) {
                DstackEngine target = live.get(ThreadLocalRandom.current().nextInt(live.size()));
                try {
                    names.add(target.applyRun(task()).runSpec().runName());
                } catch (IllegalStateException closedMeanwhile) {
                    continue; // the replica went down between choosing it and submitting: choose another
                }
                sleep(100);
            }
        }, "submitter");
        submitter.start();
        try {
            for (int i = 0; i < 3; i++) {
                DstackEngine old = live.get(0);
                int before = names.size();
                await().atMost(WAIT).until(() -> names.size() >= before + 3);
                live.remove(old);
                old.close();
                engines.remove(old);
                int during = names.size();
                await().atMost(WAIT).until(() -> names.size() >= during + 2);
                live.add(replica());
            }
        } finally {
            submitting.set(false);
            submitter.join();
        }

        for (String name : names) {
            assertRanOnceWithWholeLogs(live.get(0), name);
        }
        assertThat(jobDirectories()).hasSize(names.size());
    }

    /**
     * A start that outlasts the lease (here each takes 16 leases, as when host calls queue on a busy machine) is one
     * start: the replica that claimed the job keeps its lease alive until the call is over. Without that, a replica's
     * sweep claimed the job again once the lease had expired and its job was due, found no process yet and started it
     * again, every second (5 and 6 starts per job here): most of those starts were refused (the job's pid file was
     * there), but two that reach the host together can prepare the job's directory over each other, which is the
     * likely cause of a rolling restart's job that failed as "never started".
     */
    @Test
    void aStartThatOutlastsTheLeaseIsTheJobsOnlyStart() throws Exception {
        Duration lease = Duration.ofMillis(500);
        Map<String, AtomicInteger> starts = new ConcurrentHashMap<>();
        DstackEngine first = slowStartReplica(lease, lease.multipliedBy(16), starts);
        DstackEngine second = slowStartReplica(lease, lease.multipliedBy(16), starts);
        List<String> names = List.of(name(first.applyRun(task())), name(second.applyRun(task())));

        for (String name : names) {
            assertRanOnceWithWholeLogs(first, name);
        }
        assertThat(starts).as("host starts per job").hasSize(names.size())
                .allSatisfy((job, count) -> assertThat(count.get()).as("starts of job %s", job).isEqualTo(1));
        assertThat(jobDirectories()).hasSize(names.size());
    }

    private DstackEngine slowStartReplica(Duration lease, Duration startDelay, Map<String, AtomicInteger> starts) {
        Path server = dir.resolve("server");
        DstackEngine engine = DstackEngine.builder().serverDirectory(server).databaseUrl(url)
                .hostExecutor(SlowStartHost.around(new ai.dstack.core.internal.host.LocalHostExecutor(
                                server.resolve("local").resolve("jobs"),
                                ai.dstack.core.internal.host.LocalHostExecutor.defaultBaseEnvironment()), startDelay,
                                starts),
                        new ai.dstack.core.internal.host.LocalResourceDetector(server).detect())
                .leaseDuration(lease).sweepInterval(lease) // each replica looks for expired leases often
                .keepFinishedJobFiles(true).build();
        engines.add(engine);
        return engine;
    }

    private static String name(Run run) {
        return run.runSpec().runName();
    }

    private void assertRanOnceWithWholeLogs(DstackEngine engine, String name) throws Exception {
        Run done = engine.awaitFinished(name, WAIT);
        var job = done.latestJobSubmission();
        assertThat(done.status()).as("%s: %s (job: %s, %s)", name, done.statusMessage(),
                job == null ? null : job.terminationReason(), job == null ? null : job.terminationReasonMessage())
                .isEqualTo(RunStatus.DONE);
        assertThat(Files.readAllLines(dir.resolve("starts").resolve(name))).as("starts of %s", name)
                .containsExactly("started");
        String logs = engine.pollLogs(engine.defaultProject(), name).logs().stream()
                .map(LogEvent::text).collect(Collectors.joining());
        for (int i = 1; i <= LINES; i++) {
            assertThat(logs.split("line " + i + "\n", -1)).as("line %d of %s stored once in%n%s", i, name, logs)
                    .hasSize(2);
        }
    }

    private List<Path> jobDirectories() throws Exception {
        try (Stream<Path> entries = Files.list(dir.resolve("server").resolve("local").resolve("jobs"))) {
            return entries.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
        }
    }

    private static boolean waitFor(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
