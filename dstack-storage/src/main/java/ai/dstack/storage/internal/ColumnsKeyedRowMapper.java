package ai.dstack.storage.internal;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * A row mapper specialized once per list of result columns instead of once per query. Jdbi's constructor mapper
 * matches every column name against every constructor parameter each time a result is read; the stores read the same
 * {@code SELECT *} columns again and again, and that matching was a twentieth of a runs/list page's CPU. The
 * specialized mapper holds column positions and column mappers only, so one serves every result with those columns.
 */
final class ColumnsKeyedRowMapper<T> implements RowMapper<T> {
    /** More distinct column lists than a store's queries have means something else is going on: stop keeping them. */
    private static final int MAX_KEPT = 64;

    private final RowMapper<T> delegate;
    private final Map<List<String>, RowMapper<T>> specialized = new ConcurrentHashMap<>();

    ColumnsKeyedRowMapper(RowMapper<T> delegate) {
        this.delegate = delegate;
    }

    @Override
    public T map(ResultSet rs, StatementContext ctx) throws SQLException {
        return specialize(rs, ctx).map(rs, ctx);
    }

    @Override
    public RowMapper<T> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
        List<String> columns = columns(rs.getMetaData());
        RowMapper<T> mapper = specialized.get(columns);
        if (mapper == null) {
            mapper = delegate.specialize(rs, ctx);
            if (specialized.size() < MAX_KEPT) {
                specialized.putIfAbsent(columns, mapper);
            }
        }
        return mapper;
    }

    private static List<String> columns(ResultSetMetaData meta) throws SQLException {
        String[] labels = new String[meta.getColumnCount()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = meta.getColumnLabel(i + 1);
        }
        return Arrays.asList(labels);
    }
}
