package ai.dstack.api.metrics;

import ai.dstack.api.json.internal.Values;
import java.util.List;
import java.util.Optional;

/**
 * A job's resource usage samples as dstack's {@code metrics/job/{run_name}} returns them: one series per metric
 * name ({@code cpu_usage_percent}, {@code memory_working_set_bytes}, {@code gpu_util_percent_gpu0}, ...), newest
 * sample first.
 */
public record JobMetrics(List<Metric> metrics) {
    public JobMetrics {
        metrics = Values.list(metrics);
    }

    /** The series of that name, if the job has it (GPU series only for jobs on hosts with GPUs). */
    public Optional<Metric> metric(String name) {
        return metrics.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
