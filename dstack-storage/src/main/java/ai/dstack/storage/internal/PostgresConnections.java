package ai.dstack.storage.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.storage.StoreOptions;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * One pool for everything: PostgreSQL handles concurrent writers itself, and claims lock rows with
 * {@code SKIP LOCKED}. Migrations run under a session advisory lock so that engines starting together take turns.
 */
final class PostgresConnections extends Connections {
    /** Our own key, like dstack's {@code int(sha256("migrations"), 16) % 2**63} but for this schema. */
    static final long MIGRATION_LOCK_KEY = 0x64737461636b4a56L; // "dstackJV"

    private final DatabaseUrl url;
    private final HikariDataSource pool;
    private final Jdbi jdbi;

    private PostgresConnections(DatabaseUrl url, HikariDataSource pool) {
        this.url = url;
        this.pool = pool;
        this.jdbi = jdbi(pool, Dialect.POSTGRES);
    }

    /** Optional dependencies of dstack-storage (an embedded engine on SQLite does not carry them); ai.dstack:dstack-postgres brings both. */
    private static final String DRIVER_CLASS = "org.postgresql.Driver";
    private static final String FLYWAY_SUPPORT_CLASS = "org.flywaydb.database.postgresql.PostgreSQLDatabaseType";

    static PostgresConnections open(DatabaseUrl url, StoreOptions options) {
        requirePostgresSupport(url);
        HikariConfig config = new HikariConfig();
        config.setPoolName("dstack-postgres");
        config.setJdbcUrl(url.jdbcUrl());
        if (url.user() != null) {
            config.setUsername(url.user());
        }
        if (url.password() != null) {
            config.setPassword(url.password());
        }
        config.setMaximumPoolSize(options.maxConnections());
        config.setMinimumIdle(Math.min(2, options.maxConnections()));
        config.setConnectionTimeout(options.connectTimeout().toMillis());
        long connectTimeoutSeconds = Math.max(1, options.connectTimeout().toSeconds());
        config.addDataSourceProperty("connectTimeout", String.valueOf(connectTimeoutSeconds));
        config.addDataSourceProperty("ApplicationName", "dstack-jvm");
        try {
            return new PostgresConnections(url, new HikariDataSource(config));
        } catch (RuntimeException e) {
            throw StoreErrors.cannotOpen(url, e);
        }
    }

    /** Names the missing dependency up front instead of a driver or Flyway failure deep in the start-up. */
    static void requirePostgresSupport(DatabaseUrl url) {
        for (String name : new String[] {DRIVER_CLASS, FLYWAY_SUPPORT_CLASS}) {
            try {
                Class.forName(name, false, PostgresConnections.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                throw new DstackException(ErrorCode.INVALID_REQUEST, "The state database " + url.display()
                        + " is PostgreSQL, but PostgreSQL support is not on the class path (" + name + " is missing):"
                        + " depend on ai.dstack:dstack-postgres (it brings org.postgresql:postgresql and"
                        + " org.flywaydb:flyway-database-postgresql)");
            }
        }
    }

    @Override
    <R, X extends Exception> R write(HandleCallback<R, X> callback) throws X {
        writeTransactions.increment();
        return jdbi.inTransaction(callback);
    }

    @Override
    <R, X extends Exception> R read(HandleCallback<R, X> callback) throws X {
        return jdbi.withHandle(handle -> {
            handle.setReadOnly(true);
            return handle.inTransaction(callback);
        });
    }

    @Override
    void migrate() {
        jdbi.useHandle(handle -> {
            lock(handle);
            try {
                // Not from the pool: the lock holds one of its connections, and a pool of one would wait forever.
                Migrations.run(unpooled(), Dialect.POSTGRES);
            } finally {
                handle.createQuery("SELECT pg_advisory_unlock(:key)").bind("key", MIGRATION_LOCK_KEY)
                        .mapTo(Boolean.class).one();
            }
        });
    }

    private org.postgresql.ds.PGSimpleDataSource unpooled() {
        org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setURL(url.jdbcUrl());
        if (url.user() != null) {
            dataSource.setUser(url.user());
        }
        if (url.password() != null) {
            dataSource.setPassword(url.password());
        }
        dataSource.setApplicationName("dstack-jvm-migrations");
        return dataSource;
    }

    private static void lock(Handle handle) {
        // pg_advisory_lock returns void, which Jdbi cannot map: select from it instead.
        handle.createQuery("SELECT 1 FROM (SELECT pg_advisory_lock(:key)) AS locked").bind("key", MIGRATION_LOCK_KEY)
                .mapTo(Integer.class).one();
    }

    @Override
    public void close() {
        pool.close();
    }
}
