package ai.dstack.storage.internal;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Maps a row to a record through its canonical constructor, column {@code run_name} to component {@code runName}.
 * Reflection happens once per record type and column lookup once per result set, which keeps mapping cheap on the
 * hot paths (claims, listings); extra columns in the result are ignored.
 */
final class RecordRowMapper<R extends Record> implements RowMapper<R> {
    private final Class<R> type;
    private final Dialect dialect;
    private final Constructor<R> constructor;
    private final String[] columns;
    private final Class<?>[] types;

    RecordRowMapper(Class<R> type, Dialect dialect) {
        this.type = type;
        this.dialect = dialect;
        RecordComponent[] components = type.getRecordComponents();
        this.columns = Arrays.stream(components).map(c -> RecordSql.column(c.getName())).toArray(String[]::new);
        this.types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            this.constructor = type.getDeclaredConstructor(types);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("No canonical constructor in " + type, e);
        }
    }

    @Override
    public R map(ResultSet rs, StatementContext ctx) throws SQLException {
        return specialize(rs, ctx).map(rs, ctx);
    }

    @Override
    public RowMapper<R> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
        ResultSetMetaData metaData = rs.getMetaData();
        Map<String, Integer> indexes = new HashMap<>();
        for (int i = metaData.getColumnCount(); i >= 1; i--) {
            indexes.put(metaData.getColumnLabel(i).toLowerCase(Locale.ROOT), i);
        }
        int[] positions = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            Integer position = indexes.get(columns[i]);
            if (position == null) {
                throw new SQLException(
                        "Column " + columns[i] + " of " + type.getSimpleName() + " is not in the result");
            }
            positions[i] = position;
        }
        return (row, context) -> {
            Object[] values = new Object[positions.length];
            for (int i = 0; i < positions.length; i++) {
                values[i] = read(row, positions[i], types[i]);
            }
            try {
                return constructor.newInstance(values);
            } catch (InvocationTargetException e) {
                throw new SQLException("Row of " + type.getSimpleName() + " rejected: " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private Object read(ResultSet rs, int column, Class<?> type) throws SQLException {
        if (type == String.class) {
            return rs.getString(column);
        } else if (type == UUID.class) {
            return dialect.readUuid(rs, column);
        } else if (type == Instant.class) {
            return dialect.readInstant(rs, column);
        } else if (type == int.class) {
            return rs.getInt(column);
        } else if (type == long.class) {
            return rs.getLong(column);
        } else if (type == boolean.class) {
            return rs.getBoolean(column);
        } else if (type == byte[].class) {
            return rs.getBytes(column);
        }
        Object value;
        if (type == Integer.class) {
            value = rs.getInt(column);
        } else if (type == Long.class) {
            value = rs.getLong(column);
        } else if (type == Boolean.class) {
            value = rs.getBoolean(column);
        } else if (type == Double.class) {
            value = rs.getDouble(column);
        } else {
            throw new IllegalStateException("No column reader for " + type + " in " + this.type);
        }
        return rs.wasNull() ? null : value;
    }
}
