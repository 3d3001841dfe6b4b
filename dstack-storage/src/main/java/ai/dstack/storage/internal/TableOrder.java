package ai.dstack.storage.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The tables of a schema in an order where every table comes after the tables its foreign keys refer to. */
public final class TableOrder {
    private TableOrder() {}

    /** The tables of the connection's current PostgreSQL schema, {@code excluded} left out. */
    public static List<String> ofPostgres(Connection connection, String excluded) throws SQLException {
        Map<String, Set<String>> refersTo = new TreeMap<>();
        try (Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
                while (rows.next()) {
                    if (!rows.getString(1).equals(excluded)) {
                        refersTo.put(rows.getString(1), new LinkedHashSet<>());
                    }
                }
            }
            try (ResultSet rows = statement.executeQuery("SELECT child.relname, parent.relname FROM pg_constraint c"
                    + " JOIN pg_class child ON child.oid = c.conrelid JOIN pg_class parent ON parent.oid = c.confrelid"
                    + " WHERE c.contype = 'f' AND child.relnamespace = current_schema()::regnamespace")) {
                while (rows.next()) {
                    Set<String> parents = refersTo.get(rows.getString(1));
                    if (parents != null && !rows.getString(1).equals(rows.getString(2))) {
                        parents.add(rows.getString(2));
                    }
                }
            }
        }
        return sorted(refersTo);
    }

    static List<String> sorted(Map<String, Set<String>> refersTo) {
        List<String> order = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (placed.size() < refersTo.size()) {
            boolean progress = false;
            for (Map.Entry<String, Set<String>> table : refersTo.entrySet()) {
                if (!placed.contains(table.getKey()) && refersToPlaced(table.getValue(), placed, refersTo)) {
                    placed.add(table.getKey());
                    order.add(table.getKey());
                    progress = true;
                }
            }
            if (!progress) {
                throw new DstackException(ErrorCode.INTERNAL, "The foreign keys of tables " + refersTo.keySet()
                        + " form a cycle; there is no order to copy them in");
            }
        }
        return order;
    }

    private static boolean refersToPlaced(Set<String> parents, Set<String> placed, Map<String, Set<String>> all) {
        return parents.stream().allMatch(parent -> placed.contains(parent) || !all.containsKey(parent));
    }
}
