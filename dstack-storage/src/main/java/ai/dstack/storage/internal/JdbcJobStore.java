package ai.dstack.storage.internal;

import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.JobStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

final class JdbcJobStore extends JdbcPipelineStore<JobRow> implements JobStore {
    /** The run's user, and the job's place in the queue: the rule is in migration V31 (fair order across users). */
    private static final String RUN_USER = "(SELECT r.user_id FROM runs r WHERE r.id = :runId)";
    private static final String INSERT = PipelineTable.JOBS.sql().insertIfAbsentWith(queueColumns());

    JdbcJobStore(TxContext tx) {
        super(tx, PipelineTable.JOBS);
    }

    private static Map<String, String> queueColumns() {
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put("queue_user_id", RUN_USER);
        columns.put("queue_seq", "COALESCE("
                + "(SELECT MAX(q.queue_seq) + 1 FROM jobs q WHERE q.status = 'submitted' AND q.queue_user_id = "
                + RUN_USER + " AND q.submitted_at < :submittedAt),"
                + " (SELECT MIN(q.queue_seq) FROM jobs q WHERE q.status = 'submitted'), 0)");
        return columns;
    }

    @Override
    String insertSql() {
        return INSERT;
    }

    @Override
    String describe(JobRow row) {
        return "Job " + row.id();
    }

    @Override
    public List<JobRow> listByRun(UUID runId) {
        return query("SELECT * FROM jobs WHERE run_id = :runId ORDER BY replica_num, job_num, submission_num")
                .bind("runId", runId)
                .mapTo(JobRow.class)
                .list();
    }

    /** One query for all the runs (a page of runs/list), not one per run. */
    @Override
    public Map<UUID, List<JobRow>> listByRuns(Collection<UUID> runIds) {
        Map<UUID, List<JobRow>> byRun = new LinkedHashMap<>();
        runIds.forEach(runId -> byRun.put(runId, new ArrayList<>()));
        if (runIds.isEmpty()) {
            return byRun;
        }
        query("SELECT * FROM jobs WHERE run_id IN (<runIds>) ORDER BY replica_num, job_num, submission_num")
                .bindList("runIds", List.copyOf(runIds))
                .mapTo(JobRow.class)
                .forEach(job -> byRun.get(job.runId()).add(job));
        return byRun;
    }

    @Override
    public List<JobRow> listByInstance(UUID instanceId) {
        return query("SELECT * FROM jobs WHERE instance_id = :instanceId ORDER BY submitted_at, id")
                .bind("instanceId", instanceId)
                .mapTo(JobRow.class)
                .list();
    }
}
