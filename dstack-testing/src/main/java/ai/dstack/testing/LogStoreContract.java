package ai.dstack.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogFollow;
import ai.dstack.spi.logs.LogListener;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogSubscription;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link LogStore} must do, whatever it stores logs in, as JUnit 5 tests: paging in both directions,
 * start times, limits, the runner's log beside the job's, followers with and without replay, and closing. A store's
 * own test class extends this one and opens the store; every test here then runs against it:
 *
 * <pre>{@code
 * class MyLogStoreTest extends LogStoreContract {
 *     protected LogStore openStore(Path serverDir) {
 *         return new MyLogStoreProvider().create(LogStoreContext.of(serverDir));
 *     }
 * }
 * }</pre>
 *
 * <p>A store that behaves differently where dstack's own stores do (CloudWatch's paging, say) overrides that test
 * and checks its own behaviour instead, saying why.
 */
public abstract class LogStoreContract {
    /** When the events of {@link #events} happen: {@code T0 + i} milliseconds for event {@code i}. */
    protected static final Instant T0 = Instant.parse("2023-11-14T22:13:20Z");
    /** How long a test waits for something another thread does. */
    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** A new directory per test, the server directory of a file-based store. */
    @TempDir protected Path serverDir;
    /** The store under test; closed after each test. */
    protected LogStore store;
    /** The job whose logs the tests write and read. */
    protected final JobLogRef job = new JobLogRef("main", "train-1", UUID.randomUUID());

    /** A new, empty store; called before each test. */
    protected abstract LogStore openStore(Path serverDir);

    @BeforeEach
    void openStoreUnderTest() {
        store = openStore(serverDir);
    }

    @AfterEach
    void closeStoreUnderTest() {
        store.close();
    }

    /** Events {@code from} to {@code from + count - 1} of stdout, one line each, a millisecond apart. */
    protected static List<LogEvent> events(int from, int count) {
        return IntStream.range(from, from + count)
                .mapToObj(i -> LogEvent.stdout(T0.plusMillis(i), "line " + i + "\n"))
                .toList();
    }

    /** Every event of a job, following next_token until it is null. */
    protected List<LogEvent> pollAll(LogQuery query, List<Integer> pageSizes) {
        List<LogEvent> all = new ArrayList<>();
        LogPage page = store.poll(job, query);
        pageSizes.add(page.events().size());
        all.addAll(page.events());
        while (page.nextToken() != null) {
            page = store.poll(job, query.withNextToken(page.nextToken()));
            pageSizes.add(page.events().size());
            all.addAll(page.events());
        }
        return all;
    }

    @Test
    public void ascendingPollPagesThroughEveryEventOldestFirst() {
        List<LogEvent> written = events(0, 250);
        store.write(job, written.subList(0, 120), List.of());
        store.write(job, written.subList(120, 250), List.of());

        List<Integer> pageSizes = new ArrayList<>();
        List<LogEvent> read = pollAll(LogQuery.defaults(), pageSizes);

        assertThat(read).containsExactlyElementsOf(written);
        assertThat(pageSizes).containsExactly(100, 100, 50);
    }

    @Test
    public void descendingPollPagesThroughEveryEventNewestFirst() {
        List<LogEvent> written = events(0, 250);
        store.write(job, written, List.of());

        List<Integer> pageSizes = new ArrayList<>();
        List<LogEvent> read = pollAll(LogQuery.defaults().withDescending(true), pageSizes);

        List<LogEvent> newestFirst = new ArrayList<>(written);
        Collections.reverse(newestFirst);
        assertThat(read).containsExactlyElementsOf(newestFirst);
        assertThat(pageSizes).containsExactly(100, 100, 50);
    }

    @Test
    public void lastPageHasNoTokenWhenItEndsExactlyAtTheLimit() {
        store.write(job, events(0, 200), List.of());

        List<Integer> ascending = new ArrayList<>();
        pollAll(LogQuery.defaults(), ascending);
        List<Integer> descending = new ArrayList<>();
        pollAll(LogQuery.defaults().withDescending(true), descending);

        assertThat(ascending).containsExactly(100, 100);
        assertThat(descending).containsExactly(100, 100);
    }

    @Test
    public void startTimeIsExclusiveInBothDirections() {
        store.write(job, events(0, 10), List.of());
        LogQuery afterFour = LogQuery.defaults().withStartTime(T0.plusMillis(4));

        assertThat(store.poll(job, afterFour).events())
                .containsExactlyElementsOf(events(5, 5));
        assertThat(store.poll(job, afterFour.withDescending(true)).events())
                .extracting(LogEvent::message)
                .containsExactly("line 9\n", "line 8\n", "line 7\n", "line 6\n", "line 5\n");
    }

    @Test
    public void limitIsBoundedAndHonoured() {
        store.write(job, events(0, 1500), List.of());

        assertThat(store.poll(job, LogQuery.defaults().withLimit(LogQuery.MAX_LIMIT)).events()).hasSize(1000);
        assertThat(store.poll(job, LogQuery.defaults().withLimit(1)).events()).containsExactly(events(0, 1).get(0));
        assertThat(store.poll(job, LogQuery.defaults().withLimit(1).withDescending(true)).events())
                .containsExactly(events(1499, 1).get(0));
        assertThat(store.poll(job, LogQuery.defaults().withLimit(0)).events()).isEmpty();
        assertThatThrownBy(() -> LogQuery.defaults().withLimit(1001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be between 0 and 1000, was 1001");
        assertThatThrownBy(() -> LogQuery.defaults().withLimit(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be between 0 and 1000, was -1");
    }

    @Test
    public void unknownProjectRunOrSubmissionGivesAnEmptyPage() {
        store.write(job, events(0, 3), events(0, 3));
        List<JobLogRef> unknown = List.of(
                new JobLogRef("main", "train-1", UUID.randomUUID()),
                new JobLogRef("main", "no-such-run", job.jobSubmissionId()),
                new JobLogRef("no-such-project", "train-1", job.jobSubmissionId()));

        for (JobLogRef other : unknown) {
            for (LogQuery query : List.of(LogQuery.defaults(), LogQuery.defaults().withDescending(true),
                    LogQuery.defaults().withDiagnose(true))) {
                LogPage page = store.poll(other, query);
                assertThat(page.events()).as("%s %s", other, query).isEmpty();
                assertThat(page.nextToken()).as("%s %s", other, query).isNull();
            }
        }
    }

    @Test
    public void diagnoseReadsTheRunnerLogInsteadOfTheJobOutput() {
        List<LogEvent> jobLines = events(0, 3);
        List<LogEvent> runnerLines = List.of(LogEvent.stdout(T0, "runner: pulling image\n"));
        store.write(job, jobLines, runnerLines);

        assertThat(store.poll(job, LogQuery.defaults()).events()).containsExactlyElementsOf(jobLines);
        assertThat(store.poll(job, LogQuery.defaults().withDiagnose(true)).events())
                .containsExactlyElementsOf(runnerLines);
    }

    @Test
    public void followerGetsOnlyEventsWrittenAfterItSubscribedInOrder() {
        store.write(job, events(0, 3), List.of());
        RecordingLogListener listener = new RecordingLogListener();

        try (LogSubscription subscription = store.follow(job, LogFollow.newEvents(false), listener)) {
            store.write(job, events(3, 2), List.of());
            store.write(job, events(5, 1), events(100, 4)); // runner lines are another stream
            store.write(job, events(6, 3), List.of());

            assertThat(subscription.isOpen()).isTrue();
        }

        assertThat(listener.events()).containsExactlyElementsOf(events(3, 6));
        assertThat(listener.batchSizes()).containsExactly(2, 1, 3);
        assertThat(listener.closedCalls()).isEqualTo(1);
    }

    @Test
    public void everyFollowerGetsEveryEventAndClosingOneLeavesTheOthers() {
        RecordingLogListener first = new RecordingLogListener();
        RecordingLogListener second = new RecordingLogListener();
        RecordingLogListener runner = new RecordingLogListener();
        LogSubscription firstSubscription = store.follow(job, LogFollow.newEvents(false), first);
        LogSubscription secondSubscription = store.follow(job, LogFollow.newEvents(false), second);
        LogSubscription runnerSubscription = store.follow(job, LogFollow.newEvents(true), runner);

        store.write(job, events(0, 2), events(50, 1));
        firstSubscription.close();
        store.write(job, events(2, 2), List.of());

        assertThat(first.events()).containsExactlyElementsOf(events(0, 2));
        assertThat(first.closedCalls()).isEqualTo(1);
        assertThat(firstSubscription.isOpen()).isFalse();
        assertThat(second.events()).containsExactlyElementsOf(events(0, 4));
        assertThat(runner.events()).containsExactlyElementsOf(events(50, 1));
        secondSubscription.close();
        runnerSubscription.close();
    }

    @Test
    public void followerCanReplayStoredEventsAfterAStartTimeThenGetNewOnes() {
        store.write(job, events(0, 5), List.of());
        RecordingLogListener listener = new RecordingLogListener();

        try (LogSubscription ignored =
                store.follow(job, LogFollow.storedAndNewAfter(T0.plusMillis(2), false), listener)) {
            store.write(job, events(5, 2), List.of());
        }

        assertThat(listener.events()).containsExactlyElementsOf(events(3, 4));
    }

    @Test
    public void eventsWrittenWhileStoredOnesAreReplayedArriveAfterThemExactlyOnce() throws Exception {
        store.write(job, events(0, 1500), List.of()); // more than one replay batch
        List<LogEvent> received = new ArrayList<>();
        List<Throwable> writerFailures = new ArrayList<>();
        LogListener listener = batch -> {
            boolean firstBatch = received.isEmpty();
            received.addAll(batch);
            if (firstBatch) {
                // A writer on another thread appends while the replay is being delivered, and is not blocked by it.
                Thread writer = new Thread(() -> store.write(job, events(1500, 2), List.of()));
                writer.setUncaughtExceptionHandler((thread, failure) -> writerFailures.add(failure));
                writer.start();
                try {
                    writer.join(WAIT.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                assertThat(writer.isAlive()).as("writer blocked by the replay").isFalse();
            }
        };

        try (LogSubscription ignored = store.follow(job, LogFollow.storedAndNewAfter(null, false), listener)) {
            assertThat(received).isEqualTo(events(0, 1502));
            store.write(job, events(1502, 1), List.of());
        }

        assertThat(writerFailures).isEmpty();
        assertThat(received).isEqualTo(events(0, 1503));
    }

    @Test
    public void followerWithReplaySeesEveryEventOnceWhileWritersRace() throws Exception {
        int writers = 4;
        int batchesPerWriter = 200;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch halfway = new CountDownLatch(writers);
        RecordingLogListener listener = new RecordingLogListener();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                running.add(pool.submit(() -> {
                    for (int b = 0; b < batchesPerWriter; b++) {
                        store.write(job, events(writer * 100_000 + b * 3, 3), List.of());
                        if (b == batchesPerWriter / 2) {
                            halfway.countDown();
                        }
                    }
                }));
            }
            assertThat(halfway.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            try (LogSubscription ignored = store.follow(job, LogFollow.storedAndNewAfter(null, false), listener)) {
                for (Future<?> writer : running) {
                    writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                }
            }
        } finally {
            pool.shutdownNow();
        }

        List<LogEvent> stored = pollAll(LogQuery.defaults().withLimit(1000), new ArrayList<>());
        assertThat(stored).hasSize(writers * batchesPerWriter * 3);
        assertThat(listener.events()).isEqualTo(stored);
        assertThat(listener.contractBroken()).isFalse();
    }

    @Test
    public void followerReceivesEventsWrittenFromAnotherThread() throws Exception {
        RecordingLogListener listener = new RecordingLogListener();
        try (LogSubscription ignored = store.follow(job, LogFollow.newEvents(false), listener)) {
            Thread writer = new Thread(() -> store.write(job, events(0, 10), List.of()));
            writer.start();

            assertThat(listener.awaitEvents(10, WAIT)).containsExactlyElementsOf(events(0, 10));
            writer.join();
        }
    }

    @Test
    public void aListenerThatThrowsIsUnsubscribedWithoutHarmingOthers() {
        RecordingLogListener healthy = new RecordingLogListener();
        List<Integer> closed = new ArrayList<>();
        LogSubscription failing = store.follow(job, LogFollow.newEvents(false), new LogListener() {
            @Override
            public void onEvents(List<LogEvent> events) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onClosed() {
                closed.add(1);
            }
        });
        store.follow(job, LogFollow.newEvents(false), healthy);

        store.write(job, events(0, 1), List.of());
        store.write(job, events(1, 1), List.of());

        assertThat(failing.isOpen()).isFalse();
        assertThat(closed).hasSize(1);
        assertThat(healthy.events()).containsExactlyElementsOf(events(0, 2));
    }

    @Test
    public void closingTheStoreEndsSubscriptionsAndRefusesWork() {
        RecordingLogListener listener = new RecordingLogListener();
        LogSubscription subscription = store.follow(job, LogFollow.newEvents(false), listener);

        store.close();

        assertThat(subscription.isOpen()).isFalse();
        assertThat(listener.closedCalls()).isEqualTo(1);
        assertThatThrownBy(() -> store.write(job, events(0, 1), List.of())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> store.poll(job, LogQuery.defaults())).isInstanceOf(IllegalStateException.class);
    }
}
