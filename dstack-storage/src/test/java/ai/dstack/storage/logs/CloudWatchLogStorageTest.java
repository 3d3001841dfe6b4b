package ai.dstack.storage.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.storage.logs.internal.CloudWatchLogStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What only CloudWatch storage does: dstack's stream names, batching within the service's limits, its errors. */
class CloudWatchLogStorageTest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final Clock CLOCK = CloudWatchTesting.clockAfter(T0);
    static final String GROUP = CloudWatchTesting.GROUP;

    final JobLogRef job = new JobLogRef("main", "train-1", UUID.fromString("0b0c3d7e-2d4f-4c4e-9a55-4c2f5a1b9e01"));
    final String jobStream = "main/train-1/0b0c3d7e-2d4f-4c4e-9a55-4c2f5a1b9e01/job";
    final String runnerStream = "main/train-1/0b0c3d7e-2d4f-4c4e-9a55-4c2f5a1b9e01/runner";
    FakeCloudWatchLogs fake;

    @BeforeEach
    void startFake() {
        fake = FakeCloudWatchLogs.start(CLOCK);
        fake.createGroup(GROUP);
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    static LogEvent at(long millisAfterT0, String message) {
        return LogEvent.stdout(T0.plusMillis(millisAfterT0), message);
    }

    @Test
    void writesOneStreamPerSubmissionAndProducerNamedAsDstackDoesAndLinksTheConsole() {
        try (CloudWatchLogStore store = CloudWatchTesting.open(fake, CLOCK)) {
            store.write(job, List.of(at(0, "hello\n")), List.of(at(0, "runner: started\n")));

            assertThat(fake.streams(GROUP)).containsExactly(jobStream, runnerStream);
            assertThat(fake.events(GROUP, jobStream)).extracting(FakeCloudWatchLogs.Event::message).containsExactly("hello\n");
            LogPage page = store.poll(job, LogQuery.defaults());
            assertThat(page.events()).containsExactly(at(0, "hello\n"));
            assertThat(page.externalUrl()).isEqualTo("https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
                    + "#logsV2:log-groups/log-group/dstack-runs/log-events/"
                    + "main%2Ftrain-1%2F0b0c3d7e-2d4f-4c4e-9a55-4c2f5a1b9e01%2Fjob");
        }
    }

    @Test
    void aLargeUnsortedWriteIsCutIntoBatchesTheServiceAcceptsAndReadsBackInTimeOrder() {
        List<LogEvent> written = new ArrayList<>();
        for (int i = 0; i < 12_000; i++) { // more than 10,000 events
            written.add(at(12_000 - i, "line " + i + "\n")); // newest first: the store must sort
        }
        String wide = "é".repeat(100_000); // 200,000 bytes: five of these exceed 1 MiB
        for (int i = 0; i < 5; i++) {
            written.add(at(30_000 + i, wide));
        }
        String huge = "x".repeat(300_000) + "ü".repeat(200_000) + "\n"; // 700 KB: more than one event can hold
        written.add(at(40_000, huge));
        written.add(at(-Duration.ofHours(30).toMillis(), "thirty hours ago\n")); // more than 24 h before the rest

        try (CloudWatchLogStore store = CloudWatchTesting.open(fake, CLOCK)) {
            store.write(job, written, List.of());

            assertThat(fake.putRejections()).isEmpty();
            assertThat(fake.putBatchSizes()).allSatisfy(size -> assertThat(size).isBetween(1, 10_000));
            // The 24 h span, the 10,000-event count and the byte limit each end one batch.
            assertThat(fake.putBatchSizes().size()).isGreaterThanOrEqualTo(4);
            List<FakeCloudWatchLogs.Event> stored = fake.events(GROUP, jobStream);
            assertThat(stored).extracting(FakeCloudWatchLogs.Event::timestamp).isSorted();
            assertThat(stored.get(0).message()).isEqualTo("thirty hours ago\n");
            assertThat(stored.stream().filter(e -> e.message().startsWith("line ")).count()).isEqualTo(12_000);
            assertThat(stored.stream().filter(e -> e.message().equals(wide)).count()).isEqualTo(5);
            String reassembled = stored.stream()
                    .filter(e -> e.timestamp() == T0.plusMillis(40_000).toEpochMilli())
                    .map(FakeCloudWatchLogs.Event::message)
                    .reduce("", String::concat);
            assertThat(reassembled).isEqualTo(huge);
        }
    }

    @Test
    void eventsCloudWatchWouldRefuseForTheirAgeAndEmptyMessagesAreSkipped() {
        List<LogEvent> written = List.of(
                LogEvent.stdout(CLOCK.instant().minus(Duration.ofDays(15)), "too old\n"),
                at(0, ""),
                at(1, "kept\n"),
                LogEvent.stdout(CLOCK.instant().plus(Duration.ofHours(3)), "too new\n"));

        try (CloudWatchLogStore store = CloudWatchTesting.open(fake, CLOCK)) {
            store.write(job, written, List.of());

            assertThat(fake.putRejections()).isEmpty();
            assertThat(fake.events(GROUP, jobStream)).extracting(FakeCloudWatchLogs.Event::message).containsExactly("kept\n");
        }
    }

    @Test
    void throttlingIsRetriedByTheSdkAndTheWriteSucceeds() {
        try (CloudWatchLogStore store = CloudWatchTesting.open(fake, CLOCK)) {
            fake.throttleNext(2);
            store.write(job, List.of(at(0, "after throttling\n")), List.of());

            assertThat(store.poll(job, LogQuery.defaults()).events()).containsExactly(at(0, "after throttling\n"));
            // The group check at open, the stream look (throttled twice, then answered), the create and the put.
            assertThat(fake.calls("DescribeLogStreams") + fake.calls("CreateLogStream") + fake.calls("PutLogEvents"))
                    .isEqualTo(1 + 1 + 1 + 1 + 2);
        }
    }

    @Test
    void aMissingLogGroupIsAClearErrorAtStart() {
        assertThatThrownBy(() -> CloudWatchLogStore.open(CloudWatchTesting.client(fake), "no-such-group", CLOCK))
                .isInstanceOf(DstackException.class)
                .hasMessage("CloudWatch log group 'no-such-group' does not exist in region eu-west-1: create it first "
                        + "(dstack never creates log groups)");
    }

    @Test
    void aLogGroupDeletedLaterMakesPollsFailClearlyAndUnknownStreamsAreEmpty() {
        try (CloudWatchLogStore store = CloudWatchTesting.open(fake, CLOCK)) {
            LogPage unknown = store.poll(job, LogQuery.defaults());
            assertThat(unknown.events()).isEmpty();
            assertThat(unknown.nextToken()).isNull();

            fake.deleteGroup(GROUP);

            assertThatThrownBy(() -> store.poll(job, LogQuery.defaults()))
                    .isInstanceOf(DstackException.class)
                    .hasMessageContaining("CloudWatch log group 'dstack-runs' does not exist");
        }
    }

    @Test
    void aStreamDeletedBehindTheStoresBackIsCreatedAgain() {
        try (CloudWatchLogStore store = CloudWatchTesting.open(fake, CLOCK)) {
            store.write(job, List.of(at(0, "first\n")), List.of());
            fake.deleteStream(GROUP, jobStream); // e.g. a retention policy

            store.write(job, List.of(at(1, "second\n")), List.of());

            assertThat(fake.events(GROUP, jobStream)).extracting(FakeCloudWatchLogs.Event::message)
                    .containsExactly("second\n");
        }
    }

    @Test
    void aTokenCloudWatchDidNotIssueIsDstacksInvalidNextTokenError() {
        try (CloudWatchLogStore store = CloudWatchTesting.open(fake, CLOCK)) {
            store.write(job, List.of(at(0, "hello\n")), List.of());

            assertThatThrownBy(() -> store.poll(job, LogQuery.defaults().withNextToken("garbage")))
                    .isInstanceOf(DstackException.class)
                    .hasMessage("Invalid next_token: garbage");
        }
    }

    @Test
    void twoReplicasShareStreamsAndReadEachOthersLogs() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (CloudWatchLogStore first = CloudWatchTesting.open(fake, CLOCK);
                CloudWatchLogStore second = CloudWatchTesting.open(fake, CLOCK)) {
            // Both create the same stream at once: one of them gets ResourceAlreadyExistsException and carries on.
            Future<?> a = pool.submit(() -> first.write(job, List.of(at(0, "from first\n")), List.of()));
            Future<?> b = pool.submit(() -> second.write(job, List.of(at(1, "from second\n")), List.of()));
            a.get(10, TimeUnit.SECONDS);
            b.get(10, TimeUnit.SECONDS);

            assertThat(first.poll(job, LogQuery.defaults()).events())
                    .containsExactly(at(0, "from first\n"), at(1, "from second\n"));
            assertThat(second.poll(job, LogQuery.defaults().withDescending(true)).events())
                    .containsExactly(at(1, "from second\n"), at(0, "from first\n"));
            assertThat(fake.streams(GROUP)).containsExactly(jobStream);
        } finally {
            pool.shutdownNow();
        }
    }
}
