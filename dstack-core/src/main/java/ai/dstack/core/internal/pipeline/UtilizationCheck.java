package ai.dstack.core.internal.pipeline;

import ai.dstack.api.configuration.UtilizationPolicy;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.storage.JobMetricsPointRow;
import ai.dstack.spi.storage.JobRow;
import java.util.List;
import java.util.Optional;

/**
 * dstack's {@code utilization_policy}: a running job is terminated with {@code terminated_due_to_utilization_policy}
 * when one of its GPUs stayed below {@code min_gpu_utilization} percent in every sample of the last
 * {@code time_window} seconds. Samples must cover the window (the oldest within a minute of its start), so a job that
 * just started is never judged on a few samples; a job without GPU samples is never terminated.
 */
final class UtilizationCheck {
    /** dstack assumes samples at least every minute: the oldest must be this close to the window's start. */
    private static final long COVERAGE_SLACK_MICROS = 60_000_000L;
    /** More than a window holds at dstack's 10 s interval (time windows are at most an hour). */
    private static final int MAX_SAMPLES = 10_000;

    private final EngineContext context;

    UtilizationCheck(EngineContext context) {
        this.context = context;
    }

    /** dstack's termination message when the policy is violated, else empty. */
    Optional<String> violated(JobRow job, UtilizationPolicy policy) {
        if (policy == null) {
            return Optional.empty();
        }
        long after = MetricsCollector.toMicros(context.clock.instant().minusSeconds(policy.timeWindow()));
        List<JobMetricsPointRow> points = context.store.inReadOnlyTransaction(
                tx -> tx.metrics().list(job.id(), after, null, MAX_SAMPLES));
        List<long[]> utils = points.stream().map(p -> Json.read(p.gpusUtilPercent(), long[].class)).toList();
        if (points.isEmpty() || utils.get(0).length == 0
                || points.get(points.size() - 1).timestampMicro() > after + COVERAGE_SLACK_MICROS) {
            return Optional.empty(); // not enough samples yet
        }
        for (int gpu = 0; gpu < utils.get(0).length; gpu++) {
            final int index = gpu;
            boolean idle = utils.stream().allMatch(u -> index >= u.length || u[index] < policy.minGpuUtilization());
            if (idle) {
                return Optional.of("The job GPU utilization below " + policy.minGpuUtilization() + "% for "
                        + policy.timeWindow() + " seconds");
            }
        }
        return Optional.empty();
    }
}
