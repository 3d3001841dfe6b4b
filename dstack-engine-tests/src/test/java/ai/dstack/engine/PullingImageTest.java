package ai.dstack.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.core.internal.host.LocalHostExecutor;
import ai.dstack.core.internal.host.LocalResourceDetector;
import ai.dstack.core.testing.HeldImageRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job whose image the runtime does not have yet is `pulling` (dstack's job status) while podman pulls it, with the
 * pull's progress in the job's logs, then runs. The image comes from a registry on loopback
 * ({@link HeldImageRegistry}), which holds its blobs until the test has seen the job pulling.
 */
class PullingImageTest {
    @TempDir Path dir;
    HeldImageRegistry registry;
    DstackEngine engine;

    @BeforeEach
    void setUp() throws Exception {
        registry = new HeldImageRegistry(dir);
        Map<String, String> env = new LinkedHashMap<>(LocalHostExecutor.defaultBaseEnvironment());
        env.put("CONTAINERS_REGISTRIES_CONF", registry.registriesConf().toString());
        Path server = dir.resolve("server");
        engine = DstackEngine.builder().serverDirectory(server).localBlocks(2)
                .hostExecutor(new LocalHostExecutor(server.resolve("local").resolve("jobs"), env, "podman"),
                        new LocalResourceDetector(server).detect())
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (registry != null) {
            registry.release();
        }
        if (engine != null) {
            engine.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void theJobIsPullingWhileTheImageIsFetchedWithProgressInItsLogsThenRuns() throws Exception {
        TaskConfiguration task = DstackYaml.parse("type: task\nimage: " + registry.image()
                + "\ncommands:\n  - cat /etc/pulled\n", "pull.dstack.yml", TaskConfiguration.class);
        Run run = engine.applyRun(task);
        String runName = run.runSpec().runName();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(EngineContractTest.latest(engine.getRun(engine.defaultProject(), runName)).status())
                        .as("registry requests %s", registry.requests()).isEqualTo(JobStatus.PULLING));
        // podman is at the registry, whose blobs are held: the job is still pulling.
        await().atMost(Duration.ofSeconds(60)).until(() -> registry.requests().stream()
                .anyMatch(r -> r.contains("/blobs/")));
        assertThat(registry.requests()).anyMatch(r -> r.contains("/manifests/v1"));
        assertThat(EngineContractTest.latest(engine.getRun(engine.defaultProject(), runName)).status())
                .isEqualTo(JobStatus.PULLING);
        registry.release();
        Run done = engine.awaitFinished(engine.defaultProject(), runName, Duration.ofSeconds(120));
        List<String> lines = new ArrayList<>();
        engine.client(engine.adminToken()).project("main").followLogs(runName,
                event -> lines.addAll(new String(event.messageBytes(), StandardCharsets.UTF_8).lines().toList()));

        assertThat(done.status()).as(String.join("\n", lines)).isEqualTo(RunStatus.DONE);
        assertThat(lines).contains(HeldImageRegistry.PULLED);
        assertThat(String.join("\n", lines)).as("podman's pull progress").contains("Copying config",
                "Writing manifest");
        assertThat(lines.indexOf(HeldImageRegistry.PULLED)).isGreaterThan(0);
    }
}
