package ai.dstack.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How the engine samples jobs and how long it keeps samples and events (dstack's retention settings).
 *
 * @param collectInterval how often running jobs are sampled (dstack: every 10 s)
 * @param runningTtl how long samples of running jobs are kept ({@code DSTACK_SERVER_METRICS_RUNNING_TTL_SECONDS}, 1 h);
 *     also the longest {@code utilization_policy.time_window}
 * @param finishedTtl how long samples of finished jobs are kept ({@code DSTACK_SERVER_METRICS_FINISHED_TTL_SECONDS}, 7 days)
 * @param eventsTtl how long events are kept ({@code DSTACK_SERVER_EVENTS_TTL_SECONDS}, 30 days); zero records no events
 */
public record MetricsSettings(Duration collectInterval, Duration runningTtl, Duration finishedTtl, Duration eventsTtl) {
    public static final MetricsSettings DSTACK = new MetricsSettings(Duration.ofSeconds(10), Duration.ofHours(1),
            Duration.ofDays(7), Duration.ofDays(30));

    public MetricsSettings {
        Objects.requireNonNull(collectInterval, "collectInterval is null");
        Objects.requireNonNull(runningTtl, "runningTtl is null");
        Objects.requireNonNull(finishedTtl, "finishedTtl is null");
        Objects.requireNonNull(eventsTtl, "eventsTtl is null");
        if (collectInterval.isNegative() || collectInterval.isZero()) {
            throw new IllegalArgumentException("collectInterval must be positive, not " + collectInterval);
        }
    }

    public boolean eventsEnabled() {
        return !eventsTtl.isZero() && !eventsTtl.isNegative();
    }

    public MetricsSettings withCollectInterval(Duration interval) {
        return new MetricsSettings(interval, runningTtl, finishedTtl, eventsTtl);
    }

    public MetricsSettings withEventsTtl(Duration ttl) {
        return new MetricsSettings(collectInterval, runningTtl, finishedTtl, ttl);
    }

    public MetricsSettings withMetricsTtl(Duration running, Duration finished) {
        return new MetricsSettings(collectInterval, running, finished, eventsTtl);
    }
}
