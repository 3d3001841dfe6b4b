package ai.dstack.storage.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.storage.StoreOptions;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * SQLite allows one writer at a time, and a writer that meets another fails with "database is locked" once its busy
 * timeout runs out. So writes never meet here: write transactions go to one writer thread ({@link GroupCommit}),
 * which runs those that arrive together in one transaction on the single writer connection, begun
 * {@code IMMEDIATE}, under the file's lock shared by every store of this JVM that opens it. Reads use a separate pool of
 * {@code query_only} connections that WAL lets run beside the writer. Other processes on the same file are still
 * handled by SQLite's busy timeout; migrations additionally take a lock file so that processes take turns.
 */
final class SqliteConnections extends Connections {
    private static final String BUSY_TIMEOUT_MS = "30000";
    /**
     * Readers map the file (up to 1 GiB of it) instead of copying pages into their own page caches: a reader's cache
     * (SQLite's 2 MB by default, one per pooled connection) is emptied by every commit of the writer, so a page of
     * runs/list read 100 rows' pages from the kernel again each time. Mapped pages are shared by all readers and stay
     * valid across commits; the map is address space, not heap.
     */
    private static final String READER_MMAP_BYTES = String.valueOf(1L << 30);
    /** One writer lock per database file, shared by every store of this JVM that opens it. */
    private static final Map<Path, ReentrantLock> WRITE_LOCKS = new ConcurrentHashMap<>();

    private final DatabaseUrl url;
    private final ReentrantLock writeLock;
    private final HikariDataSource writerPool;
    private final HikariDataSource readerPool;
    private final Jdbi writer;
    private final Jdbi readers;
    private final GroupCommit groupCommit;

    private SqliteConnections(DatabaseUrl url, HikariDataSource writerPool, HikariDataSource readerPool) {
        this.url = url;
        this.writeLock = WRITE_LOCKS.computeIfAbsent(url.sqliteFile(), file -> new ReentrantLock(true));
        this.writerPool = writerPool;
        this.readerPool = readerPool;
        this.writer = jdbi(writerPool, Dialect.SQLITE);
        this.readers = jdbi(readerPool, Dialect.SQLITE);
        this.groupCommit = new GroupCommit(writer, writeLock, writeTransactions, url.sqliteFile().getFileName().toString());
    }

    static SqliteConnections open(DatabaseUrl url, StoreOptions options) {
        Path file = url.sqliteFile();
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException | SecurityException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Cannot open the state database " + url.display()
                    + ": cannot create the directory " + file.getParent() + " (" + e + ")", e);
        }
        HikariDataSource writerPool = null;
        try {
            // The writer opens first: switching the file to WAL needs it alone.
            Properties writerPragmas = pragmas();
            writerPragmas.setProperty("journal_mode", "WAL");
            writerPragmas.setProperty("transaction_mode", "IMMEDIATE");
            writerPool = pool(url, "writer", 1, writerPragmas, null, options);
            Properties readerPragmas = pragmas();
            readerPragmas.setProperty("mmap_size", READER_MMAP_BYTES);
            HikariDataSource readerPool =
                    pool(url, "readers", options.maxConnections(), readerPragmas, "PRAGMA query_only = ON", options);
            return new SqliteConnections(url, writerPool, readerPool);
        } catch (RuntimeException e) {
            if (writerPool != null) {
                writerPool.close();
            }
            throw StoreErrors.cannotOpen(url, e);
        }
    }

    private static Properties pragmas() {
        Properties pragmas = new Properties();
        pragmas.setProperty("busy_timeout", BUSY_TIMEOUT_MS);
        pragmas.setProperty("foreign_keys", "true");
        pragmas.setProperty("synchronous", "NORMAL");
        return pragmas;
    }

    private static HikariDataSource pool(
            DatabaseUrl url, String role, int size, Properties pragmas, String initSql, StoreOptions options) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("dstack-sqlite-" + role);
        config.setJdbcUrl(url.jdbcUrl());
        config.setDataSourceProperties(pragmas);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(options.connectTimeout().toMillis());
        config.setConnectionInitSql(initSql);
        return new HikariDataSource(config);
    }

    @Override
    <R, X extends Exception> R write(HandleCallback<R, X> callback) throws X {
        return groupCommit.write(callback);
    }

    @Override
    <R, X extends Exception> R read(HandleCallback<R, X> callback) throws X {
        return readers.inTransaction(callback);
    }

    @Override
    void migrate() {
        writeLock.lock();
        Path lockFile = Path.of(url.sqliteFile() + ".migration-lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.lock(); // waits while another process migrates
            try {
                SQLiteConfig config = new SQLiteConfig();
                config.setBusyTimeout(Integer.parseInt(BUSY_TIMEOUT_MS));
                SQLiteDataSource dataSource = new SQLiteDataSource(config);
                dataSource.setUrl(url.jdbcUrl());
                Migrations.run(dataSource, Dialect.SQLITE);
            } finally {
                lock.release();
            }
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Cannot migrate the state database " + url.display()
                    + ": cannot lock " + lockFile + " (" + e + ")", e);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void close() {
        groupCommit.close();
        readerPool.close();
        writerPool.close();
    }
}
