package ai.dstack.spi.storage;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Rows whose status is one of {@code statuses} are due once {@code minInterval} has passed since they were last
 * processed ({@code last_processed_at <= now - minInterval}), or at once when their
 * {@code skip_min_processing_interval} flag is set.
 *
 * @param statuses wire values, e.g. {@code "submitted"}
 */
public record DueRule(Set<String> statuses, Duration minInterval) {
    public DueRule {
        statuses = Set.copyOf(Objects.requireNonNull(statuses, "statuses is null"));
        if (statuses.isEmpty()) {
            throw new IllegalArgumentException("statuses is empty");
        }
        Objects.requireNonNull(minInterval, "minInterval is null");
        if (minInterval.isNegative()) {
            throw new IllegalArgumentException("minInterval < 0: " + minInterval);
        }
    }
}
