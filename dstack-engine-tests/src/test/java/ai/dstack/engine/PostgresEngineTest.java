package ai.dstack.engine;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The engine on a real PostgreSQL (embedded, started by the build): one server, a new database per test. */
class PostgresEngineTest extends EngineContractTest {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;
    private volatile String lastDatabase;

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
        lastDatabase = name;
        return "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/" + name;
    }

    /**
     * Triggers record every change of an instance's busy blocks, every job that leaves the queue and the leases of the
     * queue's head, with the statement that did it, so that an out-of-order start shows its sequence. They found the
     * one seen only here (a block freed by another thread mid-batch; placement batches now lock their instances).
     */
    @Override
    protected void startQueueDiagnostics() throws Exception {
        try (Connection connection = database(lastDatabase); Statement sql = connection.createStatement()) {
            sql.execute("CREATE TABLE queue_diagnostics (seq BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ DEFAULT"
                    + " clock_timestamp(), what TEXT, tx BIGINT DEFAULT txid_current(), query TEXT DEFAULT current_query())");
            sql.execute("CREATE FUNCTION record_busy() RETURNS trigger AS $$ BEGIN INSERT INTO queue_diagnostics (what)"
                    + " VALUES ('busy_blocks ' || OLD.busy_blocks || ' -> ' || NEW.busy_blocks || ' of ' || NEW.name);"
                    + " RETURN NEW; END $$ LANGUAGE plpgsql");
            sql.execute("CREATE TRIGGER busy_changes AFTER UPDATE ON instances FOR EACH ROW WHEN"
                    + " (OLD.busy_blocks IS DISTINCT FROM NEW.busy_blocks) EXECUTE FUNCTION record_busy()");
            sql.execute("CREATE FUNCTION record_job() RETURNS trigger AS $$ BEGIN INSERT INTO queue_diagnostics (what)"
                    + " VALUES ('job ' || NEW.job_name || ' (priority ' || (SELECT priority FROM runs WHERE id = NEW.run_id) || ') '"
                    + " || OLD.status || ' -> ' || NEW.status); RETURN NEW; END $$"
                    + " LANGUAGE plpgsql");
            sql.execute("CREATE TRIGGER job_changes AFTER UPDATE ON jobs FOR EACH ROW WHEN"
                    + " (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION record_job()");
            // Claims and releases of the head of the queue (priority 97 and up): which step held a job's lease when
            // capacity freed, and what it wrote.
            sql.execute("CREATE FUNCTION record_lease() RETURNS trigger AS $$ DECLARE p INT; BEGIN"
                    + " SELECT priority INTO p FROM runs WHERE id = NEW.run_id; IF p >= 97 THEN"
                    + " INSERT INTO queue_diagnostics (what) VALUES ('lease of ' || NEW.job_name || ' (priority ' || p"
                    + " || ', ' || NEW.status || '): owner ' || coalesce(OLD.lock_owner, '-') || ' -> '"
                    + " || coalesce(NEW.lock_owner, '-') || ', expires ' || coalesce(NEW.lock_expires_at::text, '-')"
                    + " || ', last processed ' || coalesce(OLD.last_processed_at::text, '-') || ' -> '"
                    + " || coalesce(NEW.last_processed_at::text, '-')); END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
            sql.execute("CREATE TRIGGER job_leases AFTER UPDATE ON jobs FOR EACH ROW WHEN"
                    + " (OLD.lock_token IS DISTINCT FROM NEW.lock_token"
                    + " OR OLD.last_processed_at IS DISTINCT FROM NEW.last_processed_at) EXECUTE FUNCTION record_lease()");
        }
    }

    /** The first 150 records, when the jobs began to leave the queue. */
    @Override
    protected String queueDiagnostics() {
        StringBuilder text = new StringBuilder("\nbusy blocks, job changes and leases of the queue's head, in order:");
        try (Connection connection = database(lastDatabase); Statement sql = connection.createStatement();
                ResultSet rows = sql.executeQuery("SELECT at, tx, what, left(query, 100) FROM queue_diagnostics ORDER BY seq LIMIT 150")) {
            while (rows.next()) {
                text.append("\n  ").append(rows.getString(1)).append(" tx ").append(rows.getLong(2)).append(' ')
                        .append(rows.getString(3)).append(" | ").append(rows.getString(4).replaceAll("\\s+", " "));
            }
        } catch (SQLException e) {
            text.append(" cannot be read: ").append(e);
        }
        return text.toString();
    }

    private static Connection database(String name) throws SQLException {
        return java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name,
                "postgres", "postgres");
    }
}
