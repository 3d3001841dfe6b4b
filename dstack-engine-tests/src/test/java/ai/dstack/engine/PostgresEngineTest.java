package ai.dstack.engine;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The engine on a real PostgreSQL (embedded, started by the build): one server, a new database per test. */
class PostgresEngineTest extends EngineContractTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        postgres.close();
    }

    /** Each job costs more time on a database server; the queue's order and costs show with fewer. */
    @Override
    protected int queuedJobs() {
        return 100;
    }

    @Override
    protected String newDatabaseUrl() throws Exception {
        String name = "engine_" + DATABASES.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("CREATE DATABASE " + name);
        }
        return "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/" + name;
    }
}
