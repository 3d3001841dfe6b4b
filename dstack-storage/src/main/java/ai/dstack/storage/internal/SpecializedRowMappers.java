package ai.dstack.storage.internal;

import java.lang.reflect.Type;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.RowMapperFactory;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Jdbi's {@link org.jdbi.v3.core.mapper.reflect.ConstructorMapper} for a record, specialized once per distinct list
 * of result columns instead of once per query. The constructor mapper matches the columns to the record's
 * parameters by reflection (names, annotations, column mappers) every time a result is read: a tenth of the store's
 * CPU per run. The specialized mapper it builds holds only the column positions and the column mappers, which
 * depend on the columns and on Jdbi's configuration: this store configures Jdbi once, before any query, and never per
 * handle, so a mapper built for one result serves every later result with the same columns.
 */
final class SpecializedRowMappers implements RowMapperFactory {
    /** Past this many column lists of one record type something builds its SQL per call: stop caching for it. */
    private static final int MAX_SHAPES = 64;

    private final Class<?> row;
    private final RowMapperFactory constructorMappers;
    /** Shared by the mappers built for every handle's copy of the configuration (Jdbi may build one per copy). */
    private final Map<List<String>, RowMapper<?>> byColumns = new ConcurrentHashMap<>();

    SpecializedRowMappers(Class<?> row, RowMapperFactory constructorMappers) {
        this.row = row;
        this.constructorMappers = constructorMappers;
    }

    @Override
    public Optional<RowMapper<?>> build(Type type, ConfigRegistry config) {
        if (type != row) {
            return Optional.empty();
        }
        return constructorMappers.build(type, config).map(mapper -> new Cached<>(mapper, byColumns));
    }

    /** The constructor mapper with its specializations kept by result columns. */
    private static final class Cached<T> implements RowMapper<T> {
        private final RowMapper<T> delegate;
        private final Map<List<String>, RowMapper<?>> byColumns;

        Cached(RowMapper<T> delegate, Map<List<String>, RowMapper<?>> byColumns) {
            this.delegate = delegate;
            this.byColumns = byColumns;
        }

        @Override
        public T map(ResultSet rs, StatementContext ctx) throws SQLException {
            return specialize(rs, ctx).map(rs, ctx);
        }

        @Override
        public RowMapper<T> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
            List<String> columns = columns(rs.getMetaData());
            @SuppressWarnings("unchecked") // filled only with this record type's mappers
            RowMapper<T> cached = (RowMapper<T>) byColumns.get(columns);
            if (cached != null) {
                return cached;
            }
            RowMapper<T> specialized = delegate.specialize(rs, ctx);
            if (byColumns.size() < MAX_SHAPES) {
                byColumns.putIfAbsent(columns, specialized);
            }
            return specialized;
        }

        private static List<String> columns(ResultSetMetaData meta) throws SQLException {
            int count = meta.getColumnCount();
            List<String> columns = new ArrayList<>(count);
            for (int i = 1; i <= count; i++) {
                columns.add(meta.getColumnLabel(i));
            }
            return columns;
        }
    }
}
