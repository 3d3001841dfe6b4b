package ai.dstack.storage.internal;

import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.InstanceRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.RunRow;
import ai.dstack.spi.storage.WorkKind;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * How a {@link WorkKind}'s table is claimed: its SQL, where its priority comes from, and how to read the columns
 * that order claims from a row.
 *
 * @param priorityJoin the join that brings the priority column in, or empty
 * @param priorityColumn the priority expression over alias {@code t} (a job's run is {@code r}), or {@code 0}
 * @param queueColumn the place in the queue among equal priorities (over alias {@code t}), or empty when submission
 *     time alone orders them
 * @param softDeleted whether the table has a {@code deleted} flag that hides rows from processing
 */
record PipelineTable<R>(
        WorkKind<R> kind,
        RecordSql sql,
        String priorityJoin,
        String priorityColumn,
        String queueColumn,
        boolean softDeleted,
        Function<R, UUID> id,
        Function<R, Instant> lastProcessedAt,
        Function<R, Instant> submittedAt) {

    static final PipelineTable<RunRow> RUNS = new PipelineTable<>(WorkKind.RUNS,
            RecordSql.of("runs", RunRow.class), "", "t.priority", "", true, RunRow::id, RunRow::lastProcessedAt, RunRow::submittedAt);
    static final PipelineTable<JobRow> JOBS = new PipelineTable<>(WorkKind.JOBS,
            RecordSql.of("jobs", JobRow.class), " JOIN runs r ON r.id = t.run_id", "r.priority", "t.queue_seq", false,
            JobRow::id, JobRow::lastProcessedAt, JobRow::submittedAt);
    static final PipelineTable<InstanceRow> INSTANCES = new PipelineTable<>(WorkKind.INSTANCES,
            RecordSql.of("instances", InstanceRow.class), "", "0", "", true, InstanceRow::id,
            InstanceRow::lastProcessedAt, InstanceRow::lastProcessedAt);
    static final PipelineTable<FleetRow> FLEETS = new PipelineTable<>(WorkKind.FLEETS,
            RecordSql.of("fleets", FleetRow.class), "", "0", "", true, FleetRow::id, FleetRow::lastProcessedAt,
            FleetRow::lastProcessedAt);

    private static final Map<WorkKind<?>, PipelineTable<?>> BY_KIND = Map.of(
            WorkKind.RUNS, RUNS, WorkKind.JOBS, JOBS, WorkKind.INSTANCES, INSTANCES, WorkKind.FLEETS, FLEETS);

    @SuppressWarnings("unchecked") // BY_KIND pairs each kind with the table of the same row type
    static <R> PipelineTable<R> of(WorkKind<R> kind) {
        return (PipelineTable<R>) BY_KIND.get(kind);
    }

    String table() {
        return sql.table();
    }

    /** The queue column as a claim reads it: {@code 0} where the table has none. */
    String queueExpression() {
        return queueColumn.isEmpty() ? "0" : queueColumn;
    }
}
