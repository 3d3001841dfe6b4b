package ai.dstack.storage;

import static ai.dstack.testing.StoreRows.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StoreTransaction;
import ai.dstack.spi.storage.UserRow;
import ai.dstack.testing.StoreRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStateStoreTest extends JdbcStateStoreContractTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path directory;

    @Override
    protected String newDatabaseUrl() {
        return "jdbc:sqlite:" + directory.resolve("state-" + DATABASES.incrementAndGet() + ".db");
    }

    @Override
    protected String dstackStyleUrl(String databaseUrl) {
        // dstack's default is sqlite+aiosqlite:////<server_dir>/data/sqlite.db: three slashes, then an absolute path.
        return "sqlite+aiosqlite:///" + databaseUrl.substring("jdbc:sqlite:".length());
    }

    @Override
    protected String unopenableUrl() throws Exception {
        Path file = Files.writeString(directory.resolve("not-a-directory"), "x");
        return "jdbc:sqlite:" + file.resolve("state.db");
    }

    /**
     * runs/list's pages of one project, all runs and active ones only (dstack ps), are read off V33's indexes in page
     * order, not found by scanning every run: SQLite's plans for the statements JdbcRunStore.listPage writes.
     */
    @Test
    void runPagesOfAProjectReadTheirIndexesInPageOrder() throws Exception {
        Path file = directory.resolve("plans.db");
        try (StateStore created = open("jdbc:sqlite:" + file)) {
            created.migrate();
        }
        String page = "SELECT * FROM runs WHERE project_id IN (?)";
        String active = " AND deleted = FALSE AND status NOT IN ('done', 'failed', 'terminated')";
        String after = " AND (submitted_at < ? OR (submitted_at = ? AND id > ?))";
        String order = " ORDER BY submitted_at DESC, id ASC LIMIT 100";
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(plan(connection, page + order)).contains("ix_runs_project_submitted_at_id")
                    .doesNotContain("TEMP B-TREE");
            assertThat(plan(connection, page + active + order)).contains("ix_runs_active_submitted_at_id")
                    .doesNotContain("TEMP B-TREE");
            assertThat(plan(connection, page + active + after + order)).contains("ix_runs_active_submitted_at_id")
                    .doesNotContain("TEMP B-TREE");
            // The quota check before a new run (JdbcRunStore.countActive) counts off the same index.
            String count = "SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE project_id = ?" + active
                    + " AND user_id = ? LIMIT ?) active";
            assertThat(plan(connection, count)).contains("ix_runs_active_submitted_at_id");
        }
    }

    private static String plan(java.sql.Connection connection, String sql) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (var statement = connection.prepareStatement("EXPLAIN QUERY PLAN " + sql);
                var rows = statement.executeQuery()) {
            while (rows.next()) {
                plan.append(rows.getString("detail")).append('\n');
            }
        }
        return plan.toString();
    }

    @Test
    void missingDirectoriesAreCreated() {
        Path nested = directory.resolve("server/data/sqlite.db");

        try (StateStore created = open("sqlite+aiosqlite:///" + nested)) {
            created.migrate();
        }

        assertThat(nested).isRegularFile();
    }

    @Test
    void aDirectoryInPlaceOfTheFileIsAClearError() throws Exception {
        Path directoryAsFile = Files.createDirectory(directory.resolve("sqlite.db"));

        assertThatThrownBy(() -> open("jdbc:sqlite:" + directoryAsFile))
                .isInstanceOf(DstackException.class)
                .hasMessageStartingWith("Cannot open the state database jdbc:sqlite:" + directoryAsFile + ": ");
    }

    @Test
    void twoStoresOnOneFileInOneJvmTakeTurnsWithoutFailing() throws Exception {
        try (StateStore other = open(databaseUrl)) {
            List<StateStore> stores = List.of(store, other);

            runConcurrently(8, worker -> () -> {
                for (int i = 0; i < 50; i++) {
                    UserRow user = StoreRows.user("u" + worker + "-" + i);
                    stores.get((worker + i) % 2).useTransaction(tx -> tx.users().insert(user));
                }
                return null;
            });

            assertThat(other.inReadOnlyTransaction((StoreTransaction tx) -> tx.users().list()))
                    .hasSize(8 * 50 + 1);
        }
    }

    @Test
    void readersRunBesideAnOpenWriteTransaction() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        UserRow bob = StoreRows.user("bob");
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> store.useTransaction(tx -> {
            tx.users().insert(bob);
            writing.countDown();
            await(finish);
        }));
        try {
            assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue();

            // The writer holds SQLite's write lock; a reader neither waits for it nor sees its uncommitted row.
            Optional<UserRow> seen =
                    CompletableFuture.supplyAsync(() -> userNamed(store, "bob")).get(30, TimeUnit.SECONDS);
            assertThat(seen).isEmpty();
        } finally {
            finish.countDown();
        }
        writer.get(30, TimeUnit.SECONDS);
        assertThat(userNamed(store, "bob")).contains(bob);
        assertThat(bob.createdAt()).isEqualTo(StoreRows.micros(T0));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let the writer finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
