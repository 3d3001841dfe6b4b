package ai.dstack.storage;

import static ai.dstack.testing.StoreRows.T0;
import static ai.dstack.testing.StoreRows.at;
import static ai.dstack.testing.StoreRows.seconds;
import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.spi.storage.Claim;
import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.Lease;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.WorkKind;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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

    /**
     * Row locks: a heartbeat skips a row another transaction is writing (a job's own write after its host call)
     * instead of waiting for it, so thousands of leases renewed together never hold up, or wait for, the jobs' writes.
     */
    @Test
    void aHeartbeatSkipsARowAnotherTransactionIsWritingInsteadOfWaitingForIt() throws Exception {
        insert(run("busy", "submitted", T0));
        insert(run("free", "submitted", T0));
        ClaimFilter filter = ClaimFilter.due(seconds(0), "submitted");
        List<Claim<RunRow>> claims = store.claimDue(WorkKind.RUNS, filter, at(0), 2, "RunPipeline", LEASE);
        Claim<RunRow> busy = claims.stream().filter(c -> c.row().runName().equals("busy")).findFirst().orElseThrow();
        Claim<RunRow> free = claims.stream().filter(c -> c.row().runName().equals("free")).findFirst().orElseThrow();
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> write = writer.submit(() -> store.useTransaction(tx -> {
                tx.runs().update(busy.row().toBuilder().status("provisioning").build(), busy.lease());
                writing.countDown();
                try {
                    done.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            assertThat(writing.await(30, TimeUnit.SECONDS)).isTrue();

            Future<List<Lease>> heartbeat = Executors.newSingleThreadExecutor()
                    .submit(() -> store.heartbeat(List.of(busy.lease(), free.lease()), at(20), LEASE));
            List<Lease> renewed;
            try {
                renewed = heartbeat.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the heartbeat waited for the row the other transaction holds", e);
            }
            assertThat(renewed).containsExactly(free.lease().withExpiresAt(at(20).plus(LEASE)));
            done.countDown();
            write.get(30, TimeUnit.SECONDS);
        } finally {
            done.countDown();
            writer.shutdownNow();
        }
        assertThat(store.heartbeat(List.of(busy.lease()), at(25), LEASE)).hasSize(1); // still held: renewed now
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
