package ai.dstack.storage;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.storage.StoreOptions;
import ai.dstack.storage.internal.DatabaseUrl;
import ai.dstack.storage.internal.Dialect;
import ai.dstack.storage.internal.JdbcStateStore;
import ai.dstack.storage.internal.TableOrder;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import org.sqlite.SQLiteConfig;

/**
 * Copies the state of a SQLite database into an empty PostgreSQL database: what dstack's guide does by hand with
 * alembic and pgloader, in one step ({@code dstack server migrate-db}).
 *
 * <pre>{@code
 * DatabaseCopy.Result result = DatabaseCopy.copy("/root/.dstack/server/data/sqlite.db",
 *         "postgresql+asyncpg://dstack:secret@db:5432/dstack", System.out::println);
 * }</pre>
 *
 * <p>Both schemas are first brought to the current version (the source as a server start would). Then every row
 * of every table goes over in one transaction, tables in foreign-key order. Values travel as text and PostgreSQL
 * parses them into its column types, as pgloader's COPY does: the schemas share names and types, so the two ways
 * agree. The row counts of every table are compared before the transaction commits. A target that already has
 * rows is refused, so nothing is ever merged or overwritten.
 */
public final class DatabaseCopy {
    private static final int BATCH = 500;
    private static final String HISTORY_TABLE = "flyway_schema_history";

    private DatabaseCopy() {}

    /** What was copied: each table with its row count, in the order they were copied. */
    public record Result(String from, String to, Map<String, Long> rowsByTable) {
        public Result {
            rowsByTable = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rowsByTable));
        }

        public long totalRows() {
            return rowsByTable.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * @param from a SQLite file, {@code jdbc:sqlite:...} or {@code sqlite+aiosqlite:////...}; it must exist
     * @param to a PostgreSQL URL in any form the store takes; its database must exist and hold no rows
     * @param progress told about each step, one line each
     * @throws DstackException naming the database and the problem: a missing source, a target with rows, a count
     *     that does not match, a database error
     */
    public static Result copy(String from, String to, Consumer<String> progress) {
        Objects.requireNonNull(progress, "progress is null");
        DatabaseUrl source = sqlite(from);
        DatabaseUrl target = postgres(to);
        migrate(source);
        progress.accept("Schema of " + source.display() + " is current");
        migrate(target);
        progress.accept("Schema of " + target.display() + " is current");
        try (Connection in = openSource(source); Connection out = openTarget(target)) {
            List<String> tables = TableOrder.ofPostgres(out, HISTORY_TABLE);
            refuseRows(out, target, tables);
            out.setAutoCommit(false);
            Map<String, Long> copied = new LinkedHashMap<>();
            for (String table : tables) {
                long rows = copyTable(in, out, table);
                copied.put(table, rows);
                progress.accept("Copied " + table + ": " + rows + (rows == 1 ? " row" : " rows"));
            }
            verifyCounts(in, out, copied);
            out.commit();
            return new Result(source.display(), target.display(), copied);
        } catch (SQLException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Copying " + source.display() + " to " + target.display()
                    + " failed, nothing was copied: " + e.getMessage(), e);
        }
    }

    /** Brings an empty (or older) PostgreSQL database to the current schema, for a copy made by other tools. */
    public static void migrateSchema(String to, Consumer<String> progress) {
        DatabaseUrl target = postgres(to);
        migrate(target);
        progress.accept("Schema of " + target.display() + " is current");
    }

    private static DatabaseUrl sqlite(String from) {
        Objects.requireNonNull(from, "from is null");
        String url = from.contains(":") ? from : "jdbc:sqlite:" + from; // a plain path
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        if (parsed.dialect() != Dialect.SQLITE) {
            throw new DstackException(ErrorCode.INVALID_REQUEST,
                    "The source " + parsed.display() + " is not a SQLite database: give its file, e.g. "
                            + "~/.dstack/server/data/sqlite.db");
        }
        if (!Files.isRegularFile(parsed.sqliteFile())) {
            throw new DstackException(ErrorCode.INVALID_REQUEST,
                    "There is no SQLite database at " + parsed.sqliteFile());
        }
        return parsed;
    }

    private static DatabaseUrl postgres(String to) {
        Objects.requireNonNull(to, "to is null");
        DatabaseUrl parsed = DatabaseUrl.parse(to);
        if (parsed.dialect() != Dialect.POSTGRES) {
            throw new DstackException(ErrorCode.INVALID_REQUEST, "The target " + parsed.display()
                    + " is not a PostgreSQL database: expected postgresql+asyncpg://user:password@host:5432/database");
        }
        return parsed;
    }

    private static void migrate(DatabaseUrl url) {
        try (JdbcStateStore store = JdbcStateStore.open(url, StoreOptions.defaults().withMaxConnections(2))) {
            store.migrate();
        }
    }

    private static Connection openSource(DatabaseUrl url) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(30_000);
        return DriverManager.getConnection(url.jdbcUrl(), config.toProperties());
    }

    private static Connection openTarget(DatabaseUrl url) throws SQLException {
        Properties properties = new Properties();
        if (url.user() != null) {
            properties.setProperty("user", url.user());
        }
        if (url.password() != null) {
            properties.setProperty("password", url.password());
        }
        properties.setProperty("reWriteBatchedInserts", "true");
        properties.setProperty("ApplicationName", "dstack-migrate-db");
        return DriverManager.getConnection(url.jdbcUrl(), properties);
    }

    private static void refuseRows(Connection out, DatabaseUrl target, List<String> tables) throws SQLException {
        for (String table : tables) {
            long rows = count(out, table);
            if (rows > 0) {
                throw new DstackException(ErrorCode.INVALID_REQUEST, "The target " + target.display()
                        + " is not empty: table " + table + " has " + rows + (rows == 1 ? " row" : " rows")
                        + ". migrate-db copies into an empty database only; create a new one");
            }
        }
    }

    private static long copyTable(Connection in, Connection out, String table) throws SQLException {
        List<String> columns = columns(out, table);
        String list = String.join(", ", columns.stream().map(DatabaseCopy::quote).toList());
        String placeholders = String.join(", ", java.util.Collections.nCopies(columns.size(), "?"));
        long rows = 0;
        try (Statement select = in.createStatement();
                ResultSet source = select.executeQuery("SELECT " + list + " FROM " + quote(table));
                PreparedStatement insert = out.prepareStatement(
                        "INSERT INTO " + quote(table) + " (" + list + ") VALUES (" + placeholders + ")")) {
            while (source.next()) {
                for (int i = 1; i <= columns.size(); i++) {
                    // Untyped text, parsed by PostgreSQL: hex ids become uuid, 0/1 booleans, text timestamps.
                    String value = source.getString(i);
                    if (value == null) {
                        insert.setNull(i, Types.OTHER);
                    } else {
                        insert.setObject(i, value, Types.OTHER);
                    }
                }
                insert.addBatch();
                if (++rows % BATCH == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
        return rows;
    }

    private static void verifyCounts(Connection in, Connection out, Map<String, Long> copied) throws SQLException {
        for (Map.Entry<String, Long> table : copied.entrySet()) {
            long source = count(in, table.getKey());
            long target = count(out, table.getKey());
            if (source != table.getValue() || target != source) {
                out.rollback();
                throw new DstackException(ErrorCode.INTERNAL, "Table " + table.getKey() + " has " + source
                        + " rows in the source but " + target + " in the target; nothing was copied");
            }
        }
    }

    private static List<String> columns(Connection out, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement query = out.prepareStatement("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position")) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    columns.add(rows.getString(1));
                }
            }
        }
        return columns;
    }

    private static long count(Connection connection, String table) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + quote(table))) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
