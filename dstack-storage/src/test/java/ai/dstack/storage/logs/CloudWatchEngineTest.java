package ai.dstack.storage.logs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.configuration.TaskConfiguration;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunStatus;
import ai.dstack.api.yaml.DstackYaml;
import ai.dstack.core.DstackEngine;
import ai.dstack.api.logs.JobSubmissionLogs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An engine whose log storage is chosen by setting: a real task's output goes to CloudWatch and is read back. */
class CloudWatchEngineTest {
    @TempDir Path dir;

    @BeforeAll
    static void awsKeys() {
        CloudWatchTesting.useTestKeys();
    }

    @Test
    void aTasksOutputIsStoredInItsSubmissionsStreamAndReadBackThroughTheEngine() throws Exception {
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start(Clock.systemUTC())) {
            fake.createGroup("dstack-runs");
            try (DstackEngine engine = DstackEngine.builder()
                    .serverDirectory(dir.resolve("server"))
                    .localBlocks(2)
                    .logStorage("cloudwatch", Map.of(
                            CloudWatchLogStoreProvider.LOG_GROUP, "dstack-runs",
                            CloudWatchLogStoreProvider.REGION, "eu-west-1",
                            CloudWatchLogStoreProvider.ENDPOINT, fake.endpoint().toString()))
                    .build()) {
                Run run = engine.applyRun(DstackYaml.parse("type: task\ncommands:\n  - echo hello cloudwatch\n",
                        "test.dstack.yml", TaskConfiguration.class));
                String runName = run.runSpec().runName();
                Run done = engine.awaitFinished(runName, Duration.ofSeconds(60));
                JobSubmissionLogs page = engine.pollLogs(engine.defaultProject(), runName);

                assertThat(done.status()).isEqualTo(RunStatus.DONE);
                assertThat(page.text())
                        .contains("hello cloudwatch");
                String stream = "main/" + runName + "/" + done.jobs().get(0).latestSubmission().id() + "/job";
                assertThat(fake.streams("dstack-runs")).contains(stream);
                assertThat(page.externalUrl()).endsWith("/log-events/" + stream.replace("/", "%2F"));
            }
        }
    }
}
