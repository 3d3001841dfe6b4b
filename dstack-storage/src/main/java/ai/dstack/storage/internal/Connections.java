package ai.dstack.storage.internal;

import ai.dstack.spi.storage.BackendRow;
import ai.dstack.spi.storage.BlobRow;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobMetricsPointRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.MemberRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.PublicKeyRow;
import ai.dstack.spi.storage.RepoRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.SecretRow;
import ai.dstack.spi.storage.UserRow;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.StatementContext;

/** Where transactions get their connections: the dialect decides how writers and readers share the database. */
abstract class Connections implements AutoCloseable {
    private static final List<Class<? extends Record>> ROWS = List.of(UserRow.class, ProjectRow.class, MemberRow.class,
            BackendRow.class, RepoRow.class, SecretRow.class, RunRow.class, JobRow.class, FleetRow.class,
            InstanceRow.class, PublicKeyRow.class, BlobRow.class, JobMetricsPointRow.class,
            ai.dstack.spi.storage.VolumeRow.class, ai.dstack.spi.storage.VolumeAttachmentRow.class);

    /** Runs {@code callback} in a read-write transaction. */
    abstract <R, X extends Exception> R write(HandleCallback<R, X> callback) throws X;

    /** Runs {@code callback} in a read-only transaction. */
    abstract <R, X extends Exception> R read(HandleCallback<R, X> callback) throws X;

    /** Runs the migrations so that concurrent callers, in this process or others, take turns. */
    abstract void migrate();

    @Override
    public abstract void close();

    /** Every statement at TRACE, for profiling what a run costs (logger {@code ai.dstack.storage.sql}). */
    private static final org.slf4j.Logger SQL_LOG = org.slf4j.LoggerFactory.getLogger("ai.dstack.storage.sql");

    /** Statements executed through this store's Jdbi instances (each store counts its own). */
    final LongAdder statements = new LongAdder();

    /** Read-write database transactions: on SQLite one may carry several callers' writes (group commit). */
    final LongAdder writeTransactions = new LongAdder();

    /**
     * One parser, and so one cache of parsed statements, for every store in the JVM: an application or a test that
     * opens many stores (one per engine) parses each statement once instead of once per store.
     */
    private static final org.jdbi.v3.core.statement.SqlParser SQL_PARSER =
            new org.jdbi.v3.core.statement.ColonPrefixSqlParser();

    Jdbi jdbi(DataSource dataSource, Dialect dialect) {
        Jdbi jdbi = Jdbi.create(dataSource);
        jdbi.getConfig(org.jdbi.v3.core.statement.SqlStatements.class).setSqlParser(SQL_PARSER);
        dialect.configure(jdbi, ROWS);
        jdbi.setSqlLogger(new SqlLogger() {
            @Override
            public void logAfterExecution(StatementContext context) {
                statements.increment();
                if (SQL_LOG.isTraceEnabled()) {
                    SQL_LOG.trace("{}", context.getRenderedSql());
                }
            }
        });
        return jdbi;
    }
}
