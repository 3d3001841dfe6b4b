package ai.dstack.storage.internal;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * INSERT and UPDATE statements for a row record, derived from its components: component {@code runName} is column
 * {@code run_name} and parameter {@code :runName} (bound with {@code bindMethods}). Keeps the SQL in step with the
 * records without listing 36 columns by hand three times.
 */
final class RecordSql {
    private final String table;
    private final List<String> components;
    private final String insertIfAbsent;
    private final Map<Set<String>, String> updates = new ConcurrentHashMap<>();

    private RecordSql(String table, List<String> components) {
        this.table = table;
        this.components = components;
        String columns = components.stream().map(RecordSql::column).collect(Collectors.joining(", "));
        String values = components.stream().map(c -> ":" + c).collect(Collectors.joining(", "));
        this.insertIfAbsent =
                "INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ") ON CONFLICT DO NOTHING";
    }

    static RecordSql of(String table, Class<? extends Record> type) {
        List<String> components = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
        return new RecordSql(table, components);
    }

    String table() {
        return table;
    }

    /** {@code INSERT ... ON CONFLICT DO NOTHING}: a taken id or unique name inserts nothing instead of failing. */
    String insertIfAbsent() {
        return insertIfAbsent;
    }

    /**
     * {@link #insertIfAbsent()} that also fills columns the record does not carry, each from an SQL expression (which
     * may use the record's parameters).
     */
    String insertIfAbsentWith(Map<String, String> extraColumns) {
        String columns = components.stream().map(RecordSql::column).collect(Collectors.joining(", "));
        String values = components.stream().map(c -> ":" + c).collect(Collectors.joining(", "));
        return "INSERT INTO " + table + " (" + columns + ", " + String.join(", ", extraColumns.keySet()) + ") VALUES ("
                + values + ", " + String.join(", ", extraColumns.values()) + ") ON CONFLICT DO NOTHING";
    }

    /** {@code UPDATE table SET every column but the excluded ones WHERE id = :id}, to which callers may append. */
    String updateById(Set<String> excludedComponents) {
        return updates.computeIfAbsent(Set.copyOf(excludedComponents), this::buildUpdateById);
    }

    private String buildUpdateById(Set<String> excludedComponents) {
        String assignments = components.stream()
                .filter(c -> !c.equals("id") && !excludedComponents.contains(c))
                .map(c -> column(c) + " = :" + c)
                .collect(Collectors.joining(", "));
        return "UPDATE " + table + " SET " + assignments + " WHERE id = :id";
    }

    static String column(String component) {
        StringBuilder column = new StringBuilder();
        for (char c : component.toCharArray()) {
            if (Character.isUpperCase(c)) {
                column.append('_').append(Character.toLowerCase(c));
            } else {
                column.append(c);
            }
        }
        return column.toString();
    }
}
