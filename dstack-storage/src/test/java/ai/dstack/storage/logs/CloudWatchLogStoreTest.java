package ai.dstack.storage.logs;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogFollow;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogSubscription;
import ai.dstack.testing.LogStoreContract;
import ai.dstack.testing.RecordingLogListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The log store contract against CloudWatch Logs (an in-memory fake speaking its protocol). Where CloudWatch
 * behaves differently from files, the test says how and checks CloudWatch's behaviour instead.
 */
class CloudWatchLogStoreTest extends LogStoreContract {
    FakeCloudWatchLogs fake;

    @Override
    protected LogStore openStore(Path serverDir) {
        fake = FakeCloudWatchLogs.start(CloudWatchTesting.clockAfter(T0));
        fake.createGroup(CloudWatchTesting.GROUP);
        return CloudWatchTesting.open(fake, CloudWatchTesting.clockAfter(T0));
    }

    @AfterEach
    void noBatchWasEverRejected() {
        try {
            assertThat(fake.putRejections()).isEmpty();
        } finally {
            fake.close();
        }
    }

    /** CloudWatch answers past the end with its own token back; dstack then returns an empty page and no token. */
    @Override
    @Test
    public void ascendingPollPagesThroughEveryEventOldestFirst() {
        List<LogEvent> written = events(0, 250);
        store.write(job, written.subList(0, 120), List.of());
        store.write(job, written.subList(120, 250), List.of());

        List<Integer> pageSizes = new ArrayList<>();
        assertThat(pollAll(LogQuery.defaults(), pageSizes)).containsExactlyElementsOf(written);
        assertThat(pageSizes).containsExactly(100, 100, 50, 0);
    }

    @Override
    @Test
    public void descendingPollPagesThroughEveryEventNewestFirst() {
        List<LogEvent> written = events(0, 250);
        store.write(job, written, List.of());

        List<Integer> pageSizes = new ArrayList<>();
        List<LogEvent> newestFirst = new ArrayList<>(written);
        java.util.Collections.reverse(newestFirst);
        assertThat(pollAll(LogQuery.defaults().withDescending(true), pageSizes)).containsExactlyElementsOf(newestFirst);
        assertThat(pageSizes).containsExactly(100, 100, 50, 0);
    }

    @Override
    @Test
    public void lastPageHasNoTokenWhenItEndsExactlyAtTheLimit() {
        store.write(job, events(0, 200), List.of());

        List<Integer> ascending = new ArrayList<>();
        pollAll(LogQuery.defaults(), ascending);
        List<Integer> descending = new ArrayList<>();
        pollAll(LogQuery.defaults().withDescending(true), descending);

        assertThat(ascending).containsExactly(100, 100, 0);
        assertThat(descending).containsExactly(100, 100, 0);
    }

    /** CloudWatch keeps a stream in event-time order, so racing writers' events read back sorted by time. */
    @Override
    @Test
    public void followerWithReplaySeesEveryEventOnceWhileWritersRace() throws Exception {
        int writers = 4;
        int batchesPerWriter = 60;
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
        assertThat(listener.events().stream().sorted(Comparator.comparing(LogEvent::timestamp)).toList())
                .isEqualTo(stored);
        assertThat(listener.contractBroken()).isFalse();
    }
}
