package ai.dstack.server.deploy;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** What {@code DSTACK_DATABASE_URL} names, as far as deployment cares: PostgreSQL, or which SQLite file. */
final class DatabaseKind {
    private DatabaseKind() {}

    /** Whether the URL (dstack's form, plain or JDBC) is PostgreSQL. */
    static boolean isPostgres(String databaseUrl) {
        if (databaseUrl == null || databaseUrl.isBlank()) {
            return false;
        }
        String url = databaseUrl.strip().toLowerCase(Locale.ROOT);
        return url.startsWith("postgresql") || url.startsWith("postgres:") || url.startsWith("jdbc:postgresql:");
    }

    /**
     * The SQLite file: dstack's default {@code <server_dir>/data/sqlite.db} when no URL is set, else the path in a
     * {@code sqlite+aiosqlite:///…}, {@code sqlite:///…} or {@code jdbc:sqlite:…} URL; empty for other databases.
     */
    static Optional<Path> sqliteFile(String databaseUrl, Path serverDirectory) {
        if (databaseUrl == null || databaseUrl.isBlank()) {
            return Optional.of(serverDirectory.resolve("data").resolve("sqlite.db"));
        }
        String url = databaseUrl.strip();
        for (String prefix : new String[] {"sqlite+aiosqlite:///", "sqlite:///", "jdbc:sqlite:"}) {
            if (url.startsWith(prefix)) {
                String path = url.substring(prefix.length());
                int query = path.indexOf('?');
                return Optional.of(Path.of(query >= 0 ? path.substring(0, query) : path));
            }
        }
        return Optional.empty();
    }
}
