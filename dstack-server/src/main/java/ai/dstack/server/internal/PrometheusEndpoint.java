package ai.dstack.server.internal;

import ai.dstack.core.app.ServerStatistics;
import ai.dstack.core.app.ServerStatistics.ActiveJob;
import ai.dstack.core.app.ServerStatistics.LiveInstance;
import ai.dstack.core.app.ServerStatistics.RunCounts;
import ai.dstack.spi.storage.JobMetricsPointRow;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * dstack's {@code GET /metrics} in the Prometheus text format, written by the Prometheus Java client: dstack's
 * metric names for instances, runs and jobs (job CPU, memory and GPU usage from the newest sample), plus the
 * server's own health: request latency, the work queue's length and how late the metrics sampler runs. Only
 * registered when {@code DSTACK_ENABLE_PROMETHEUS_METRICS} is set; {@code DSTACK_PROMETHEUS_AUTH_TOKEN}, when set,
 * must come as a bearer token.
 */
public final class PrometheusEndpoint implements RequestObserver {
    private final ServerStatistics statistics;
    private final String token;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram requests;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    /** @param token the bearer token scrapers must send, or null for none */
    public PrometheusEndpoint(ServerStatistics statistics, String token) {
        this.statistics = statistics;
        this.token = token == null || token.isEmpty() ? null : token;
        this.requests = Histogram.builder().name("dstack_server_request_duration_seconds")
                .help("Time the server took to answer API requests").labelNames("method", "path", "status")
                .register(registry);
        registry.register((MultiCollector) this::collect);
    }

    public void register(RoutesConfig routes) {
        routes.get("/metrics", this::scrape);
    }

    @Override
    public void observe(String method, String path, int status, long nanos) {
        requests.labelValues(method, path, Integer.toString(status)).observe(nanos / 1e9);
    }

    private void scrape(Context ctx) throws IOException {
        if (token != null && !authorized(ctx.header("Authorization"))) {
            ctx.attribute(Router.HANDLED, Boolean.TRUE);
            ctx.status(401).contentType("application/json").result("{\"detail\":\"Not authenticated\"}");
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, registry.scrape());
        ctx.attribute(Router.HANDLED, Boolean.TRUE);
        ctx.status(200).contentType(PrometheusTextFormatWriter.CONTENT_TYPE).result(out.toByteArray());
    }

    private boolean authorized(String header) {
        String expected = "Bearer " + token;
        return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    private MetricSnapshots collect() {
        ServerStatistics.Snapshot snapshot = statistics.snapshot();
        Instant now = Instant.now();
        Families families = new Families();
        for (LiveInstance instance : snapshot.instances()) {
            Labels labels = Labels.of("dstack_project_name", instance.project(), "dstack_fleet_name", instance.fleetName(),
                    "dstack_fleet_id", instance.fleetId() == null ? "" : instance.fleetId().toString(),
                    "dstack_instance_name", instance.name(), "dstack_instance_id", instance.id().toString(),
                    "dstack_instance_type", instance.instanceType(), "dstack_backend", instance.backend(),
                    "dstack_gpu", instance.gpu());
            families.counter("dstack_instance_duration_seconds", "Total seconds the instance is running", labels,
                    seconds(instance.createdAt(), now));
            families.gauge("dstack_instance_price_dollars_per_hour", "Instance price, USD/hour", labels, instance.price());
            families.gauge("dstack_instance_gpu_count", "Instance GPU count", labels, instance.gpuCount());
        }
        for (RunCounts runs : snapshot.runs()) {
            Labels labels = Labels.of("dstack_project_name", runs.project(), "dstack_user_name", runs.user());
            families.counter("dstack_run_count", "Total runs count", labels, runs.total());
            families.counter("dstack_run_count_terminated", "Terminated runs count", labels, runs.terminated());
            families.counter("dstack_run_count_failed", "Failed runs count", labels, runs.failed());
            families.counter("dstack_run_count_done", "Done runs count", labels, runs.done());
        }
        for (ActiveJob job : snapshot.jobs()) {
            Labels labels = Labels.of("dstack_project_name", job.project(), "dstack_user_name", job.user(),
                    "dstack_run_name", job.runName(), "dstack_run_id", job.runId().toString(),
                    "dstack_job_name", job.jobName(), "dstack_job_id", job.jobId().toString(),
                    "dstack_job_num", Integer.toString(job.jobNum()), "dstack_replica_num", Integer.toString(job.replicaNum()),
                    "dstack_run_type", job.runType(), "dstack_backend", job.backend(), "dstack_gpu", job.gpu());
            families.counter("dstack_job_duration_seconds", "Total seconds the job is running", labels,
                    seconds(job.submittedAt(), now));
            families.gauge("dstack_job_price_dollars_per_hour", "Job instance price, USD/hour", labels, job.price());
            families.gauge("dstack_job_gpu_count", "Job GPU count", labels, job.gpuCount());
            families.gauge("dstack_job_cpu_count", "Job CPU count", labels, job.cpus());
            families.gauge("dstack_job_memory_total_bytes", "Total memory allocated for the job, bytes", labels,
                    job.memoryBytes());
            JobMetricsPointRow point = job.latest();
            if (point == null) {
                continue;
            }
            families.counter("dstack_job_cpu_time_seconds", "Total CPU time consumed by the job, seconds", labels,
                    point.cpuUsageMicro() / 1e6);
            families.gauge("dstack_job_memory_usage_bytes", "Memory used by the job (including cache), bytes", labels,
                    point.memoryUsageBytes());
            families.gauge("dstack_job_memory_working_set_bytes",
                    "Memory used by the job (not including cache), bytes", labels, point.memoryWorkingSetBytes());
            long[] util = numbers(point.gpusUtilPercent());
            long[] used = numbers(point.gpusMemoryUsageBytes());
            long[] total = numbers(point.gpusMemoryTotalBytes());
            for (int gpu = 0; gpu < util.length; gpu++) {
                Labels gpuLabels = labels.add("dstack_gpu_num", Integer.toString(gpu));
                families.gauge("dstack_job_gpu_usage_ratio", "Job GPU usage, percent (as 0.0-1.0)", gpuLabels,
                        util[gpu] / 100.0);
                families.gauge("dstack_job_gpu_memory_total_bytes", "Total GPU memory allocated for the job, bytes",
                        gpuLabels, gpu < total.length ? total[gpu] : 0);
                families.gauge("dstack_job_gpu_memory_usage_bytes", "GPU memory used by the job, bytes", gpuLabels,
                        gpu < used.length ? used[gpu] : 0);
            }
        }
        families.gauge("dstack_server_work_queue_length", "Changes waiting for the engine's job and run loops",
                Labels.EMPTY, statistics.queuedHints());
        families.gauge("dstack_server_metrics_collection_lag_seconds",
                "How long ago the job metrics sampler last finished a pass", Labels.EMPTY,
                statistics.metricsCollectionAge().toMillis() / 1000.0);
        return families.snapshots();
    }

    private static double seconds(Instant since, Instant now) {
        return Math.max(0, Duration.between(since, now).toMillis() / 1000.0);
    }

    private static long[] numbers(String json) {
        String inner = json.strip();
        inner = inner.substring(1, inner.length() - 1).strip();
        if (inner.isEmpty()) {
            return new long[0];
        }
        String[] parts = inner.split(",");
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Long.parseLong(parts[i].strip());
        }
        return values;
    }

    /** Data points gathered per metric family, in the order families first appear. */
    private static final class Families {
        private final Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();
        private final Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
        private final List<String> order = new ArrayList<>();

        void counter(String name, String help, Labels labels, double value) {
            counters.computeIfAbsent(name, n -> {
                order.add(n);
                return CounterSnapshot.builder().name(n).help(help);
            }).dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        void gauge(String name, String help, Labels labels, double value) {
            gauges.computeIfAbsent(name, n -> {
                order.add(n);
                return GaugeSnapshot.builder().name(n).help(help);
            }).dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        }

        MetricSnapshots snapshots() {
            List<MetricSnapshot> snapshots = new ArrayList<>();
            for (String name : order) {
                snapshots.add(counters.containsKey(name) ? counters.get(name).build() : gauges.get(name).build());
            }
            return new MetricSnapshots(snapshots);
        }
    }
}
