package ai.dstack.storage.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogStoreContext;
import ai.dstack.spi.logs.LogStoreProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudWatchLogStoreProviderTest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final Clock CLOCK = CloudWatchTesting.clockAfter(T0);

    @TempDir Path serverDir;

    @BeforeAll
    static void awsKeys() {
        CloudWatchTesting.useTestKeys();
    }

    static LogStoreProvider discovered() {
        return ServiceLoader.load(LogStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(candidate -> candidate.type().equals("cloudwatch"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no LogStoreProvider of type 'cloudwatch' on the class path"));
    }

    LogStoreContext context(Map<String, String> settings) {
        return new LogStoreContext(serverDir, settings, CLOCK);
    }

    @Test
    void isDiscoveredAsTheCloudwatchTypeAndWritesToTheConfiguredGroupAndRegion() {
        JobLogRef job = new JobLogRef("main", "hello", UUID.randomUUID());
        LogEvent event = LogEvent.stdout(T0, "hi\n");
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start(CLOCK)) {
            fake.createGroup("runs");
            try (LogStore store = discovered().create(context(Map.of(
                    CloudWatchLogStoreProvider.LOG_GROUP, "runs",
                    CloudWatchLogStoreProvider.REGION, "us-west-2",
                    CloudWatchLogStoreProvider.ENDPOINT, fake.endpoint().toString())))) {
                store.write(job, List.of(event), List.of());

                assertThat(fake.streams("runs")).containsExactly("main/hello/" + job.jobSubmissionId() + "/job");
                assertThat(store.poll(job, LogQuery.defaults()).externalUrl()).startsWith(
                        "https://console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:log-groups/log-group/runs/");
            }
        }
    }

    @Test
    void aMissingGroupSettingOrGroupIsAClearError() {
        assertThatThrownBy(() -> discovered().create(context(Map.of(CloudWatchLogStoreProvider.REGION, "eu-west-1"))))
                .isInstanceOf(DstackException.class)
                .hasMessage("CloudWatch log storage needs the setting 'log_group' (DSTACK_SERVER_CLOUDWATCH_LOG_GROUP): "
                        + "the name of an existing log group");
        try (FakeCloudWatchLogs fake = FakeCloudWatchLogs.start(CLOCK)) {
            assertThatThrownBy(() -> discovered().create(context(Map.of(
                    CloudWatchLogStoreProvider.LOG_GROUP, "runs",
                    CloudWatchLogStoreProvider.REGION, "eu-west-1",
                    CloudWatchLogStoreProvider.ENDPOINT, fake.endpoint().toString()))))
                    .isInstanceOf(DstackException.class)
                    .hasMessage("CloudWatch log group 'runs' does not exist in region eu-west-1: create it first "
                            + "(dstack never creates log groups)");
        }
    }

    @Test
    void aMalformedEndpointIsAClearError() {
        assertThatThrownBy(() -> discovered().create(context(Map.of(
                CloudWatchLogStoreProvider.LOG_GROUP, "runs",
                CloudWatchLogStoreProvider.REGION, "eu-west-1",
                CloudWatchLogStoreProvider.ENDPOINT, "logs endpoint"))))
                .isInstanceOf(DstackException.class)
                .hasMessage("Invalid CloudWatch Logs endpoint 'logs endpoint': expected a URL such as https://logs.example");
    }
}
