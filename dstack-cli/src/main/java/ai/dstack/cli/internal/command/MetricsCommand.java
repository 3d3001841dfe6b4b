package ai.dstack.cli.internal.command;

import ai.dstack.api.DstackException;
import ai.dstack.api.metrics.JobMetrics;
import ai.dstack.api.metrics.Metric;
import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.cli.internal.ExitStatus;
import ai.dstack.cli.internal.output.Table;
import ai.dstack.client.DstackProject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dstack metrics RUN [-w]}: the newest CPU, memory and GPU sample of each of the run's jobs, as dstack prints
 * it ({@code NAME STATUS CPU MEMORY GPU}, one line per GPU).
 */
@Command(name = "metrics", description = "Show the newest CPU, memory and GPU metrics of a run's jobs.")
public final class MetricsCommand extends ClientCommand {
    private static final String CLEAR_SCREEN = "\033[H\033[2J";
    private static final long WATCH_INTERVAL_MILLIS = 2000;

    @Parameters(paramLabel = "RUN", description = "The run name.")
    String runName;

    @Option(names = {"-w", "--watch"}, description = "Show the metrics again every 2 seconds until interrupted.")
    boolean watch;

    @Option(names = "--watch-count", hidden = true, paramLabel = "N")
    Integer watchCount;

    @Override
    int run(DstackProject project) throws InterruptedException {
        Ansi ansi = spec.commandLine().getColorScheme().ansi();
        for (int shown = 1; ; shown++) {
            List<String> lines = table(project, project.getRun(runName)).lines(Terminal.width(environment()));
            if (watch) {
                out().print(ansi.enabled() ? CLEAR_SCREEN : (shown > 1 ? System.lineSeparator() : ""));
            }
            out().println(ansi.string("@|bold " + lines.get(0) + "|@"));
            lines.stream().skip(1).forEach(out()::println);
            out().flush();
            if (!watch || (watchCount != null && shown >= watchCount)) {
                return ExitStatus.OK;
            }
            Thread.sleep(WATCH_INTERVAL_MILLIS);
        }
    }

    private Table table(DstackProject project, Run run) {
        Table table = new Table("NAME", "STATUS", "CPU", "MEMORY", "GPU");
        boolean single = run.jobs().size() == 1;
        for (Job job : run.jobs()) {
            JobSubmission submission = job.latestSubmission();
            String name = single ? runName : "  replica=" + job.jobSpec().replicaNum() + " job=" + job.jobSpec().jobNum();
            String status = submission == null ? "" : submission.status().wireValue();
            JobMetrics metrics;
            try {
                metrics = project.client().getJobMetrics(project.name(), runName, job.jobSpec().replicaNum(),
                        job.jobSpec().jobNum(), 1);
            } catch (DstackException e) {
                metrics = new JobMetrics(List.of());
            }
            if (metrics.metrics().isEmpty()) {
                table.row(name, status, "-", "-", "-");
                continue;
            }
            String cpu = value(metrics, "cpu_usage_percent") + "%";
            String memory = bytes(value(metrics, "memory_working_set_bytes")) + "/" + bytes(value(metrics, "memory_total_bytes"));
            List<String> gpus = gpus(metrics);
            table.row(name, status, cpu, memory, gpus.isEmpty() ? "-" : gpus.get(0));
            gpus.stream().skip(1).forEach(gpu -> table.row("", "", "", "", gpu));
        }
        return table;
    }

    private static List<String> gpus(JobMetrics metrics) {
        List<String> lines = new ArrayList<>();
        long count = value(metrics, "gpus_detected_num");
        long total = metrics.metric("gpu_memory_total_bytes").isPresent() ? value(metrics, "gpu_memory_total_bytes") : 0;
        for (int gpu = 0; gpu < count; gpu++) {
            lines.add("gpu=" + gpu + " mem=" + bytes(value(metrics, "gpu_memory_usage_bytes_gpu" + gpu)) + "/"
                    + bytes(total) + " util=" + value(metrics, "gpu_util_percent_gpu" + gpu) + "%");
        }
        return lines;
    }

    private static long value(JobMetrics metrics, String name) {
        return metrics.metric(name).map(Metric::latest).map(Number::longValue).orElse(0L);
    }

    /** dstack's memory format: whole MB below a gigabyte, else GB with up to two decimals. */
    static String bytes(long bytes) {
        double gb = bytes / (1024.0 * 1024 * 1024);
        if (gb < 1) {
            return Math.round(bytes / (1024.0 * 1024)) + "MB";
        }
        String text = String.format(Locale.ROOT, "%.2f", gb).replaceAll("\\.?0+$", "");
        return text + "GB";
    }
}
