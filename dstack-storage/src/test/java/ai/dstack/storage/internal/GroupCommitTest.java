package ai.dstack.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Group commit on a real SQLite file: writes that arrive together share a transaction and fail alone. */
class GroupCommitTest {
    @TempDir
    Path dir;

    private final LongAdder transactions = new LongAdder();
    private final ExecutorService callers = Executors.newFixedThreadPool(12);
    private Jdbi jdbi;
    private GroupCommit groupCommit;

    @BeforeEach
    void open() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setBusyTimeout(30_000);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + dir.resolve("test.db"));
        jdbi = Jdbi.create(dataSource);
        jdbi.useHandle(handle -> handle.execute("CREATE TABLE t (name TEXT PRIMARY KEY)"));
        groupCommit = new GroupCommit(jdbi, new ReentrantLock(), transactions, "test");
    }

    @AfterEach
    void close() throws InterruptedException {
        callers.shutdownNow();
        callers.awaitTermination(10, TimeUnit.SECONDS);
        groupCommit.close();
    }

    private Future<Integer> insertLater(String name) {
        return callers.submit(() -> groupCommit.write(handle -> handle.execute("INSERT INTO t VALUES (?)", name)));
    }

    private List<String> names() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT name FROM t ORDER BY name").mapTo(String.class).list());
    }

    @Test
    void writesThatArriveWhileTheWriterIsBusyShareOneTransaction() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> first = callers.submit(() -> groupCommit.write(handle -> {
            release.await();
            return handle.execute("INSERT INTO t VALUES ('first')");
        }));
        await().until(() -> groupCommit.waiting() == 0 && transactions.sum() == 1); // the writer holds 'first'
        List<Future<Integer>> burst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            burst.add(insertLater("burst-" + i));
        }
        await().until(() -> groupCommit.waiting() == 10);
        release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        for (Future<Integer> write : burst) {
            assertThat(write.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(names()).hasSize(11).contains("first", "burst-0", "burst-9");
        assertThat(transactions.sum()).as("one transaction for 'first', one for the burst of 10").isEqualTo(2);
    }

    @Test
    void aFailingWriteInAGroupIsRolledBackAloneAndItsCallerGetsItsException() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<Integer> blocker = callers.submit(() -> groupCommit.write(handle -> {
            release.await();
            return 0;
        }));
        await().until(() -> transactions.sum() == 1);
        Future<Integer> before = insertLater("before");
        await().until(() -> groupCommit.waiting() == 1);
        Future<Integer> failing = callers.submit(() -> groupCommit.write(handle -> {
            handle.execute("INSERT INTO t VALUES ('half-done')");
            throw new IllegalArgumentException("this write changes its mind");
        }));
        await().until(() -> groupCommit.waiting() == 2);
        Future<Integer> after = insertLater("after");
        await().until(() -> groupCommit.waiting() == 3);
        release.countDown();

        blocker.get(10, TimeUnit.SECONDS);
        assertThat(before.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("changes its mind");
        assertThat(names()).containsExactly("after", "before");
        assertThat(transactions.sum()).isEqualTo(2);
    }

    @Test
    void aWriteStartedInsideAnotherIsRefused() {
        assertThatThrownBy(() -> groupCommit.write(handle -> groupCommit.write(inner -> 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("do not nest");
    }

    @Test
    void manyConcurrentWritersAllCommitWithoutLockErrors() throws Exception {
        List<Future<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            writes.add(insertLater("w" + i));
        }
        for (Future<Integer> write : writes) {
            assertThat(write.get(30, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(names()).hasSize(500);
        assertThat(transactions.sum()).isBetween(1L, 500L);
    }
}
