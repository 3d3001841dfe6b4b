package ai.dstack.storage.internal;

import ai.dstack.spi.storage.ClaimFilter;
import ai.dstack.spi.storage.ClaimOrder;
import ai.dstack.spi.storage.DueRule;
import java.util.List;

/** The SQL shared by every claim: which rows are free, which are due, and in what order they go. */
final class LeaseSql {
    private LeaseSql() {}

    /**
     * A row is free when no lease holds it and it is not reserved for another owner, or when its lease has
     * expired (its owner stopped heartbeating, so anyone may take over).
     */
    static final String FREE = "((t.lock_expires_at IS NULL AND (t.lock_owner IS NULL OR t.lock_owner = :owner))"
            + " OR t.lock_expires_at < :now)";

    static final String STAMP = "lock_token = :token, lock_expires_at = :expiresAt, lock_owner = :owner,"
            + " skip_min_processing_interval = FALSE";

    /** {@code (rule 0) OR (rule 1) ...} with bindings {@code <statuses_i>} and {@code :due_i}. */
    static String due(ClaimFilter filter) {
        StringBuilder sql = new StringBuilder("(");
        List<DueRule> rules = filter.rules();
        for (int i = 0; i < rules.size(); i++) {
            if (i > 0) {
                sql.append(" OR ");
            }
            sql.append("(t.status IN (<statuses_").append(i).append(">) AND (t.skip_min_processing_interval = TRUE")
                    .append(" OR t.last_processed_at <= :due_").append(i).append("))");
        }
        return sql.append(')').toString();
    }

    static String orderBy(PipelineTable<?> table, ClaimOrder order) {
        return switch (order) {
            case OLDEST_FIRST -> " ORDER BY t.last_processed_at ASC, t.id ASC";
            case HIGHEST_PRIORITY_FIRST ->
                    " ORDER BY " + table.priorityColumn() + " DESC, "
                            + (table.queueColumn().isEmpty() ? "" : table.queueColumn() + " ASC, ")
                            + "t.submitted_at ASC, t.last_processed_at ASC, t.id ASC";
        };
    }
}
