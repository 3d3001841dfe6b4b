package ai.dstack.spi.storage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which rows {@link StateStore#claimDue} considers due, and in which order it returns them. A row is due when any
 * rule matches it. Soft-deleted runs, fleets and instances are never due.
 *
 * <pre>{@code
 * ClaimFilter.due(Duration.ofSeconds(5), "submitted", "terminating")
 *     .or(Duration.ofSeconds(10), "provisioning", "running");
 * ClaimFilter.due(Duration.ofSeconds(4), "submitted").highestPriorityFirst();
 * }</pre>
 */
public record ClaimFilter(List<DueRule> rules, ClaimOrder order) {
    public ClaimFilter {
        rules = List.copyOf(Objects.requireNonNull(rules, "rules is null"));
        if (rules.isEmpty()) {
            throw new IllegalArgumentException("rules is empty");
        }
        Objects.requireNonNull(order, "order is null");
    }

    /** Rows in one of {@code statuses}, due {@code minInterval} after their last processing, oldest first. */
    public static ClaimFilter due(Duration minInterval, String... statuses) {
        DueRule rule = new DueRule(Set.copyOf(Arrays.asList(statuses)), minInterval);
        return new ClaimFilter(List.of(rule), ClaimOrder.OLDEST_FIRST);
    }

    /** This filter plus rows in one of {@code statuses} with their own interval. */
    public ClaimFilter or(Duration minInterval, String... statuses) {
        List<DueRule> more = new ArrayList<>(rules);
        more.add(new DueRule(Set.copyOf(Arrays.asList(statuses)), minInterval));
        return new ClaimFilter(more, order);
    }

    public ClaimFilter highestPriorityFirst() {
        return new ClaimFilter(rules, ClaimOrder.HIGHEST_PRIORITY_FIRST);
    }
}
