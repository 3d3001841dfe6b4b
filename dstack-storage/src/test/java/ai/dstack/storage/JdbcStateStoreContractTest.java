package ai.dstack.storage;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.spi.storage.StateStoreProvider;
import ai.dstack.testing.StateStoreContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** The state store contract for this module's JDBC store, whose URLs DriverManager opens too (SQLite, PostgreSQL). */
abstract class JdbcStateStoreContractTest extends StateStoreContract {

    @Override
    protected StateStoreProvider provider() {
        return new JdbcStateStoreProvider();
    }

    /** Flyway's history: each of the module's migrations applied once, whatever raced. */
    @Override
    protected void assertMigratedOnce(String jdbcUrl) throws Exception {
        assertThat(appliedMigrations(jdbcUrl)).containsExactlyInAnyOrderElementsOf(migrationVersions());
    }

    /** The versions of the module's migration scripts, in order: {@code V<n>__name.sql} gives n. */
    private static List<String> migrationVersions() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(
                JdbcStateStoreContractTest.class.getClassLoader().getResource("db/migration/common").toURI());
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.matches("V\\d+__.*\\.sql"))
                    .map(name -> name.substring(1, name.indexOf("__")))
                    .sorted(java.util.Comparator.comparingInt(Integer::parseInt))
                    .toList();
        }
    }

    private static List<String> appliedMigrations(String jdbcUrl) throws Exception {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
                ResultSet rs = connection.createStatement().executeQuery(
                        "SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL")) {
            List<String> versions = new ArrayList<>();
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
            return versions;
        }
    }
}
