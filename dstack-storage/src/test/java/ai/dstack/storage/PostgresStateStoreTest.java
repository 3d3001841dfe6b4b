package ai.dstack.storage;

import ai.dstack.spi.storage.StateStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on a real PostgreSQL: one embedded server for the class, a new database per test. */
class PostgresStateStoreTest extends JdbcStateStoreContractTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        execute("CREATE DATABASE migrated_template");
        try (StateStore template = new JdbcStateStoreProvider().open(url("migrated_template"))) {
            template.migrate();
        }
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    @Override
    protected String newDatabaseUrl() throws Exception {
        String name = "state_" + DATABASES.incrementAndGet();
        execute("CREATE DATABASE " + name);
        return url(name);
    }

    /** Copying a migrated template is quicker than migrating every test's database. */
    @Override
    protected String newMigratedDatabaseUrl() throws Exception {
        String name = "state_" + DATABASES.incrementAndGet();
        execute("CREATE DATABASE " + name + " TEMPLATE migrated_template");
        return url(name);
    }

    private static String url(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database + "?user=postgres";
    }

    private static void execute(String sql) throws Exception {
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute(sql);
        }
    }

    @Override
    protected String dstackStyleUrl(String jdbcUrl) {
        // The embedded server trusts local connections, so the password is carried but not checked.
        String hostPortDatabase = jdbcUrl.substring("jdbc:postgresql://".length(), jdbcUrl.indexOf('?'));
        return "postgresql+asyncpg://postgres:" + SECRET + "@" + hostPortDatabase;
    }

    /** PostgreSQL queues concurrent writers itself; fewer rounds still mix claims, reads and writes. */
    @Override
    protected int transactionsPerThreadUnderLoad() {
        return 50;
    }

    @Override
    protected String unopenableUrl() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        return "postgresql+asyncpg://postgres:" + SECRET + "@127.0.0.1:" + closedPort + "/dstack";
    }
}
