package ai.dstack.storage.internal;

import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.JobStore;
import java.util.List;
import java.util.UUID;

final class JdbcJobStore extends JdbcPipelineStore<JobRow> implements JobStore {
    JdbcJobStore(TxContext tx) {
        super(tx, PipelineTable.JOBS);
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

    @Override
    public List<JobRow> listByInstance(UUID instanceId) {
        return query("SELECT * FROM jobs WHERE instance_id = :instanceId ORDER BY submitted_at, id")
                .bind("instanceId", instanceId)
                .mapTo(JobRow.class)
                .list();
    }
}
