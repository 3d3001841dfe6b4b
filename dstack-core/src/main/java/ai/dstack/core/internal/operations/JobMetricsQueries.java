package ai.dstack.core.internal.operations;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.api.metrics.JobMetrics;
import ai.dstack.api.metrics.Metric;
import ai.dstack.core.internal.context.EngineContext;
import ai.dstack.core.internal.context.Json;
import ai.dstack.spi.storage.JobMetricsPointRow;
import ai.dstack.spi.storage.JobRow;
import ai.dstack.spi.storage.ProjectRow;
import ai.dstack.spi.storage.RunRow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * dstack's {@code metrics/job/{run_name}}: a job's samples as series, newest first. CPU usage is the CPU time used
 * between two samples over the time between them (100 = one CPU busy), so {@code limit} samples take
 * {@code limit + 1} stored points, and a job with fewer than two has no series yet.
 */
public final class JobMetricsQueries {
    private final EngineContext context;

    public JobMetricsQueries(EngineContext context) {
        this.context = context;
    }

    /**
     * @param runId picks the run by id when given (the name must still match)
     * @param after only samples taken after this, or null
     * @param before only samples taken before this, or null
     */
    public JobMetrics metrics(ProjectRow project, String runName, UUID runId, int replicaNum, int jobNum, int limit,
            Instant after, Instant before) {
        return context.store.inReadOnlyTransaction(tx -> {
            RunRow run = (runId != null ? tx.runs().find(runId).filter(r -> r.projectId().equals(project.id())
                    && !r.deleted()) : tx.runs().findByName(project.id(), runName))
                    .orElseThrow(() -> new DstackException(ErrorCode.RESOURCE_NOT_EXISTS, "Run not found"));
            JobRow job = tx.jobs().listByRun(run.id()).stream()
                    .filter(j -> j.replicaNum() == replicaNum && j.jobNum() == jobNum)
                    .max(Comparator.comparingInt(JobRow::submissionNum))
                    .orElseThrow(() -> new DstackException(ErrorCode.ERROR, "Found no job with given parameters"));
            List<JobMetricsPointRow> points = tx.metrics().list(job.id(), micros(after), micros(before), limit + 1);
            return series(points);
        });
    }

    /** The series of points given newest first. */
    static JobMetrics series(List<JobMetricsPointRow> points) {
        if (points.size() < 2) {
            return new JobMetrics(List.of());
        }
        List<JobMetricsPointRow> shown = points.subList(0, points.size() - 1);
        List<Instant> timestamps = shown.stream().map(p -> Instant.ofEpochSecond(0, p.timestampMicro() * 1000)).toList();
        List<Metric> metrics = new ArrayList<>();
        metrics.add(metric("cpus_detected_num", timestamps, shown, p -> p.cpusDetected()));
        List<Number> cpu = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            JobMetricsPointRow now = points.get(i);
            JobMetricsPointRow previous = points.get(i + 1);
            long elapsed = now.timestampMicro() - previous.timestampMicro();
            long used = Math.max(0, now.cpuUsageMicro() - previous.cpuUsageMicro());
            cpu.add(elapsed <= 0 ? 0 : Math.round(used * 100.0 / elapsed));
        }
        metrics.add(new Metric("cpu_usage_percent", timestamps, cpu));
        metrics.add(metric("memory_total_bytes", timestamps, shown, JobMetricsPointRow::memoryTotalBytes));
        metrics.add(metric("memory_usage_bytes", timestamps, shown, JobMetricsPointRow::memoryUsageBytes));
        metrics.add(metric("memory_working_set_bytes", timestamps, shown, JobMetricsPointRow::memoryWorkingSetBytes));
        List<long[]> gpuTotals = shown.stream().map(p -> Json.read(p.gpusMemoryTotalBytes(), long[].class)).toList();
        List<long[]> gpuUsed = shown.stream().map(p -> Json.read(p.gpusMemoryUsageBytes(), long[].class)).toList();
        List<long[]> gpuUtil = shown.stream().map(p -> Json.read(p.gpusUtilPercent(), long[].class)).toList();
        metrics.add(new Metric("gpus_detected_num", timestamps,
                gpuUtil.stream().map(u -> (Number) u.length).toList()));
        int gpus = gpuUtil.get(0).length;
        if (gpus > 0) {
            metrics.add(new Metric("gpu_memory_total_bytes", timestamps,
                    gpuTotals.stream().map(t -> (Number) (t.length > 0 ? t[0] : 0L)).toList()));
            for (int gpu = 0; gpu < gpus; gpu++) {
                final int index = gpu;
                metrics.add(new Metric("gpu_memory_usage_bytes_gpu" + gpu, timestamps,
                        gpuUsed.stream().map(u -> (Number) (index < u.length ? u[index] : 0L)).toList()));
                metrics.add(new Metric("gpu_util_percent_gpu" + gpu, timestamps,
                        gpuUtil.stream().map(u -> (Number) (index < u.length ? u[index] : 0L)).toList()));
            }
        }
        return new JobMetrics(metrics);
    }

    private static Metric metric(String name, List<Instant> timestamps, List<JobMetricsPointRow> points,
            Function<JobMetricsPointRow, Number> value) {
        return new Metric(name, timestamps, points.stream().map(value).toList());
    }

    private static Long micros(Instant instant) {
        return instant == null ? null : instant.getEpochSecond() * 1_000_000 + instant.getNano() / 1_000;
    }
}
