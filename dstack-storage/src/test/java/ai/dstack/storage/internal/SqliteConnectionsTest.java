package ai.dstack.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.spi.storage.StoreOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connections SQLite's store opens on a real file: a read-only, memory-mapped reader pool beside one writer. */
class SqliteConnectionsTest {
    @TempDir
    Path dir;

    @Test
    void readersMapTheFileAndSeeEachCommitOfTheWriter() {
        try (SqliteConnections connections =
                SqliteConnections.open(DatabaseUrl.parse("jdbc:sqlite:" + dir.resolve("state.db")), StoreOptions.defaults())) {
            connections.write(handle -> handle.execute("CREATE TABLE t (v INTEGER)"));

            long mapped = connections.read(handle -> handle.createQuery("PRAGMA mmap_size").mapTo(Long.class).one());
            boolean readOnly = connections.read(handle -> handle.createQuery("PRAGMA query_only").mapTo(Boolean.class).one());
            assertThat(mapped).isEqualTo(1L << 30);
            assertThat(readOnly).isTrue();

            // A mapped reader still sees what the writer commits after it read (pages it had mapped changed in the WAL).
            for (int i = 1; i <= 3; i++) {
                int value = i;
                connections.write(handle -> handle.execute("INSERT INTO t (v) VALUES (?)", value));
                int sum = connections.read(handle -> handle.createQuery("SELECT SUM(v) FROM t").mapTo(Integer.class).one());
                assertThat(sum).isEqualTo(i * (i + 1) / 2);
            }
        }
    }
}
