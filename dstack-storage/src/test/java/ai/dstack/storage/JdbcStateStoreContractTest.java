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
        assertThat(appliedMigrations(jdbcUrl)).containsExactly("1", "2", "3");
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
