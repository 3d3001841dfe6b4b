package ai.dstack.spi.storage;

import java.util.List;
import java.util.Objects;

/**
 * A kind of row that background processing claims with leases, typed by the row it yields. The four kinds are the
 * constants below.
 */
public final class WorkKind<R> {
    public static final WorkKind<RunRow> RUNS = new WorkKind<>("runs", RunRow.class);
    public static final WorkKind<JobRow> JOBS = new WorkKind<>("jobs", JobRow.class);
    public static final WorkKind<InstanceRow> INSTANCES = new WorkKind<>("instances", InstanceRow.class);
    public static final WorkKind<FleetRow> FLEETS = new WorkKind<>("fleets", FleetRow.class);

    private final String table;
    private final Class<R> rowType;

    private WorkKind(String table, Class<R> rowType) {
        this.table = table;
        this.rowType = rowType;
    }

    public static List<WorkKind<?>> values() {
        return List.of(RUNS, JOBS, INSTANCES, FLEETS);
    }

    /** The table holding rows of this kind, e.g. {@code runs}. */
    public String table() {
        return table;
    }

    public Class<R> rowType() {
        return rowType;
    }

    /** Whether rows of this kind can be ordered by priority ({@link ClaimOrder#HIGHEST_PRIORITY_FIRST}). */
    public boolean hasPriority() {
        return this == RUNS || this == JOBS;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof WorkKind<?> kind && kind.table.equals(table);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table);
    }

    @Override
    public String toString() {
        return table;
    }
}
