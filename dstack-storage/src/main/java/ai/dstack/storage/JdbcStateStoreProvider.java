package ai.dstack.storage;

import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StateStoreProvider;
import ai.dstack.spi.storage.StoreOptions;
import ai.dstack.storage.internal.DatabaseUrl;
import ai.dstack.storage.internal.JdbcStateStore;

/**
 * The state store on SQLite or PostgreSQL. Takes the URLs dstack's {@code DSTACK_DATABASE_URL} takes
 * ({@code sqlite+aiosqlite:////abs/path.db}, {@code postgresql+asyncpg://user:password@host:port/db}) as well as
 * JDBC ones ({@code jdbc:sqlite:/abs/path.db}, {@code jdbc:postgresql://host:port/db}).
 *
 * <pre>{@code
 * try (StateStore store = new JdbcStateStoreProvider().open("jdbc:sqlite:/var/lib/dstack/sqlite.db")) {
 *     store.migrate();
 *     store.useTransaction(tx -> tx.users().insert(admin));
 * }
 * }</pre>
 *
 * <p>On SQLite all writes of a JVM to one file take turns on a single connection, so they never fail with
 * "database is locked"; reads run beside them. On PostgreSQL claims use {@code FOR NO KEY UPDATE SKIP LOCKED}, so
 * several engines can share the database.
 */
public final class JdbcStateStoreProvider implements StateStoreProvider {

    @Override
    public boolean supports(String databaseUrl) {
        return DatabaseUrl.isSupported(databaseUrl);
    }

    @Override
    public StateStore open(String databaseUrl, StoreOptions options) {
        return JdbcStateStore.open(DatabaseUrl.parse(databaseUrl), options);
    }
}
