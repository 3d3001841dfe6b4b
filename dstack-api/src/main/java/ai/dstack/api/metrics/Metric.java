package ai.dstack.api.metrics;

import ai.dstack.api.json.internal.Values;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One metric's samples: {@code timestamps[i]} goes with {@code values[i]}, newest first. */
public record Metric(String name, List<Instant> timestamps, List<Number> values) {
    public Metric {
        Objects.requireNonNull(name, "name is null");
        timestamps = Values.list(timestamps);
        values = Values.list(values);
    }

    /** The newest value, or null when there is none. */
    public Number latest() {
        return values.isEmpty() ? null : values.get(0);
    }
}
