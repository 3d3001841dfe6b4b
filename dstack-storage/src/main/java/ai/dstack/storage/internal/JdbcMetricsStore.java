package ai.dstack.storage.internal;

import ai.dstack.spi.storage.JobMetricsPointRow;
import ai.dstack.spi.storage.MetricsStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.statement.Query;

final class JdbcMetricsStore implements MetricsStore {
    private static final RecordSql SQL = RecordSql.of("job_metrics_points", JobMetricsPointRow.class);
    private static final int IDS_PER_STATEMENT = 1000;

    private final TxContext tx;

    JdbcMetricsStore(TxContext tx) {
        this.tx = tx;
    }

    @Override
    public void insert(JobMetricsPointRow point) {
        Objects.requireNonNull(point, "point is null");
        Inserts.insert(tx, SQL, point, "Metrics point " + point.id());
    }

    @Override
    public List<JobMetricsPointRow> list(UUID jobId, Long afterMicro, Long beforeMicro, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM job_metrics_points WHERE job_id = :jobId");
        if (afterMicro != null) {
            sql.append(" AND timestamp_micro > :after");
        }
        if (beforeMicro != null) {
            sql.append(" AND timestamp_micro < :before");
        }
        sql.append(" ORDER BY timestamp_micro DESC, id LIMIT :limit");
        Query query = tx.handle().createQuery(sql.toString()).bind("jobId", jobId).bind("limit", limit);
        if (afterMicro != null) {
            query.bind("after", afterMicro);
        }
        if (beforeMicro != null) {
            query.bind("before", beforeMicro);
        }
        return query.mapTo(JobMetricsPointRow.class).list();
    }

    @Override
    public Map<UUID, JobMetricsPointRow> latest(Collection<UUID> jobIds) {
        Map<UUID, JobMetricsPointRow> latest = new HashMap<>();
        if (jobIds.isEmpty()) {
            return latest;
        }
        // In chunks: one IN list of every active job would pass PostgreSQL's limit of 65,535 bound parameters.
        List<UUID> ids = List.copyOf(jobIds);
        for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
            // The newest timestamp per job, then its row: both dialects answer this from the (job_id, timestamp) index.
            tx.handle().createQuery("SELECT p.* FROM job_metrics_points p JOIN (SELECT job_id, MAX(timestamp_micro) AS t"
                            + " FROM job_metrics_points WHERE job_id IN (<ids>) GROUP BY job_id) newest"
                            + " ON p.job_id = newest.job_id AND p.timestamp_micro = newest.t")
                    .bindList("ids", ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT)))
                    .mapTo(JobMetricsPointRow.class)
                    .forEach(point -> latest.putIfAbsent(point.jobId(), point));
        }
        return latest;
    }

    @Override
    public int deleteOlderThan(long cutoffMicro, Collection<String> jobStatuses, int limit) {
        if (jobStatuses.isEmpty() || limit <= 0) {
            return 0;
        }
        // A subquery with LIMIT: both dialects take it (DELETE ... LIMIT is not standard); it seeks the
        // (job_id, timestamp) index job by job.
        return tx.handle().createUpdate("DELETE FROM job_metrics_points WHERE id IN (SELECT id FROM job_metrics_points"
                        + " WHERE timestamp_micro < :cutoff AND job_id IN (SELECT id FROM jobs WHERE status IN (<statuses>))"
                        + " LIMIT :limit)")
                .bind("cutoff", cutoffMicro)
                .bind("limit", limit)
                .bindList("statuses", List.copyOf(jobStatuses))
                .execute();
    }
}
