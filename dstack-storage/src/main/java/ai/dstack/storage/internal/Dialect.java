package ai.dstack.storage.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * What differs between SQLite and PostgreSQL: column types, how ids and timestamps travel, row locks and how
 * constraint violations are reported. Chosen from the URL.
 */
public enum Dialect {
    /**
     * Ids are 32 lowercase hex digits without dashes and timestamps are {@code yyyy-MM-dd HH:mm:ss.SSSSSS} text in
     * UTC, as dstack's SQLAlchemy types store them; fixed-width text compares in time order.
     */
    SQLITE("SQLite") {
        @Override
        Map<String, String> columnTypes() {
            return Map.of("uuid", "CHAR(32)", "timestamp", "TEXT", "blob", "BLOB");
        }

        @Override
        String rowLock() {
            return ""; // the single writer already excludes everyone else
        }

        @Override
        void registerArguments(Jdbi jdbi) {
            jdbi.registerArgument(new AbstractArgumentFactory<UUID>(Types.VARCHAR) {
                @Override
                protected Argument build(UUID value, ConfigRegistry config) {
                    String hex = value.toString().replace("-", "");
                    return (position, statement, context) -> statement.setString(position, hex);
                }
            });
            jdbi.registerArgument(new AbstractArgumentFactory<Instant>(Types.VARCHAR) {
                @Override
                protected Argument build(Instant value, ConfigRegistry config) {
                    String text = SqliteTimestamps.format(value);
                    return (position, statement, context) -> statement.setString(position, text);
                }
            });
        }

        @Override
        UUID readUuid(ResultSet rs, int column) throws SQLException {
            String hex = rs.getString(column);
            if (hex == null) {
                return null;
            }
            if (hex.length() == 32) { // as stored: two longs' digits, read without building the dashed form
                return new UUID(Long.parseUnsignedLong(hex, 0, 16, 16), Long.parseUnsignedLong(hex, 16, 32, 16));
            }
            return UUID.fromString(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-"
                    + hex.substring(12, 16) + "-" + hex.substring(16, 20) + "-" + hex.substring(20));
        }

        @Override
        Instant readInstant(ResultSet rs, int column) throws SQLException {
            String text = rs.getString(column);
            return text == null ? null : SqliteTimestamps.parse(text);
        }

        @Override
        boolean isUniqueViolation(SQLException e) {
            return e instanceof SQLiteException sqlite
                    && (sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                            || sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY);
        }

        @Override
        boolean isForeignKeyViolation(SQLException e) {
            return e instanceof SQLiteException sqlite
                    && sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY;
        }
    },

    /** Native {@code uuid} ids and {@code timestamp} (without time zone, in UTC) columns, as dstack's schema. */
    POSTGRES("PostgreSQL") {
        @Override
        Map<String, String> columnTypes() {
            return Map.of("uuid", "UUID", "timestamp", "TIMESTAMP", "blob", "BYTEA");
        }

        @Override
        String rowLock() {
            // NO KEY UPDATE, like dstack: rows that only reference the locked one (a job's run) can still be inserted.
            return " FOR NO KEY UPDATE";
        }

        @Override
        void registerArguments(Jdbi jdbi) {
            jdbi.registerArgument(new AbstractArgumentFactory<UUID>(Types.OTHER) {
                @Override
                protected Argument build(UUID value, ConfigRegistry config) {
                    return (position, statement, context) -> statement.setObject(position, value);
                }
            });
            jdbi.registerArgument(new AbstractArgumentFactory<Instant>(Types.TIMESTAMP) {
                @Override
                protected Argument build(Instant value, ConfigRegistry config) {
                    // Truncate, as the records do: PostgreSQL would round the nanoseconds instead.
                    LocalDateTime utc = LocalDateTime.ofInstant(value.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
                    return (position, statement, context) -> statement.setObject(position, utc);
                }
            });
        }

        @Override
        UUID readUuid(ResultSet rs, int column) throws SQLException {
            return rs.getObject(column, UUID.class);
        }

        @Override
        Instant readInstant(ResultSet rs, int column) throws SQLException {
            LocalDateTime utc = rs.getObject(column, LocalDateTime.class);
            return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
        }

        @Override
        boolean isUniqueViolation(SQLException e) {
            return "23505".equals(e.getSQLState());
        }

        @Override
        boolean isForeignKeyViolation(SQLException e) {
            return "23503".equals(e.getSQLState());
        }
    };

    private final String displayName;

    Dialect(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }

    /** Flyway placeholders for the migration scripts: {@code ${uuid}} and {@code ${timestamp}}. */
    abstract Map<String, String> columnTypes();

    /** Appended to a SELECT to lock the rows it reads until the transaction ends. */
    abstract String rowLock();

    /** Teaches Jdbi how ids and timestamps are bound. */
    abstract void registerArguments(Jdbi jdbi);

    abstract UUID readUuid(ResultSet rs, int column) throws SQLException;

    abstract Instant readInstant(ResultSet rs, int column) throws SQLException;

    /**
     * Configures Jdbi for this dialect: how ids and timestamps travel, and how rows become records (Jdbi's
     * {@link ConstructorMapper}: column {@code run_name} to the canonical constructor's {@code runName}, through the
     * column mappers registered here for ids and timestamps; extra columns in a result are ignored), specialized once
     * per list of result columns ({@link SpecializedRowMappers}).
     */
    void configure(Jdbi jdbi, List<Class<? extends Record>> rows) {
        registerArguments(jdbi);
        jdbi.registerColumnMapper(UUID.class, (rs, column, context) -> readUuid(rs, column));
        jdbi.registerColumnMapper(Instant.class, (rs, column, context) -> readInstant(rs, column));
        rows.forEach(row -> jdbi.registerRowMapper(new SpecializedRowMappers(row, ConstructorMapper.factory(row))));
    }

    abstract boolean isUniqueViolation(SQLException e);

    abstract boolean isForeignKeyViolation(SQLException e);
}
