package ai.dstack.cli.internal.output;

import ai.dstack.api.offer.Gpu;
import ai.dstack.api.offer.Resources;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.ResourcesSpec;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Run;
import ai.dstack.api.run.RunTerminationReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Short texts for resources, prices and times, as dstack's tables show them. */
public final class Describe {
    private Describe() {}

    /** What an offer or instance has, e.g. {@code 2xCPU, 8GB, 100GB (disk)} or {@code 1xA100 (80GB), ...}. */
    public static String resources(Resources resources) {
        List<String> parts = new ArrayList<>();
        parts.add(resources.cpus() + "xCPU");
        parts.add(gigabytes(resources.memoryMib()));
        if (!resources.gpus().isEmpty()) {
            Map<String, Long> byName = resources.gpus().stream()
                    .collect(Collectors.groupingBy(gpu -> gpu.name() + " (" + gigabytes(gpu.memoryMib()) + ")",
                            java.util.LinkedHashMap::new, Collectors.counting()));
            byName.forEach((name, count) -> parts.add(count + "x" + name));
        }
        parts.add(gigabytes(resources.disk().sizeMib()) + " (disk)");
        return String.join(", ", parts);
    }

    /** Only the GPUs, e.g. {@code 2xA100 (80GB)}; {@code -} for none. */
    public static String gpus(Resources resources) {
        if (resources.gpus().isEmpty()) {
            return "-";
        }
        Map<String, Long> byName = resources.gpus().stream()
                .collect(Collectors.groupingBy(gpu -> gpu.name() + " (" + gigabytes(gpu.memoryMib()) + ")",
                        java.util.LinkedHashMap::new, Collectors.counting()));
        List<String> parts = new ArrayList<>();
        byName.forEach((name, count) -> parts.add(count + "x" + name));
        return String.join(", ", parts);
    }

    /** What a configuration asks for, e.g. {@code cpu=2.. mem=8GB.. disk=100GB..}. */
    public static String resources(ResourcesSpec spec) {
        List<String> parts = new ArrayList<>();
        if (spec.cpu() != null && spec.cpu().count() != null) {
            parts.add("cpu=" + spec.cpu().count());
        }
        if (spec.memory() != null) {
            parts.add("mem=" + withUnit(spec.memory().toString(), "GB"));
        }
        GpuSpec gpu = spec.gpu();
        if (gpu != null && gpu.count() != null && !(gpu.count().max() != null && gpu.count().max() == 0)) {
            String names = gpu.name() == null || gpu.name().isEmpty() ? "" : String.join(",", gpu.name()) + ":";
            parts.add("gpu=" + names + gpu.count());
        }
        if (spec.disk() != null && spec.disk().size() != null) {
            parts.add("disk=" + withUnit(spec.disk().size().toString(), "GB"));
        }
        return String.join(" ", parts);
    }

    public static String price(double dollars) {
        return "$" + (dollars == Math.rint(dollars) ? String.valueOf((long) dollars) : String.format(Locale.ROOT, "%.4f", dollars)
                .replaceAll("0+$", ""));
    }

    /** How long ago, e.g. {@code 5 sec ago}, {@code 3 mins ago}, {@code 2 hours ago}, {@code 4 days ago}. */
    public static String ago(Instant then, Instant now) {
        long seconds = Math.max(0, Duration.between(then, now).getSeconds());
        if (seconds < 60) {
            return seconds + " sec ago";
        }
        if (seconds < 3600) {
            return plural(seconds / 60, "min") + " ago";
        }
        if (seconds < 86400) {
            return plural(seconds / 3600, "hour") + " ago";
        }
        return plural(seconds / 86400, "day") + " ago";
    }

    /** The latest submission of job 0, or null before the run has jobs. */
    public static JobSubmission latestSubmission(Run run) {
        if (run.latestJobSubmission() != null) {
            return run.latestJobSubmission();
        }
        return run.jobs().isEmpty() ? null : run.jobs().get(0).latestSubmission();
    }

    /**
     * What {@code ps} shows as a job's status: the submission's own message, except that a run the user stopped while
     * the job waited to be retried (its last submission had already exited) shows as stopped (or aborted).
     */
    public static String jobStatus(Run run, JobSubmission submission) {
        RunTerminationReason reason = run.status().isFinished() ? run.runTerminationReason() : null;
        boolean byUser = reason == RunTerminationReason.STOPPED_BY_USER || reason == RunTerminationReason.ABORTED_BY_USER;
        if (byUser && submission.terminationReason() != null
                && !submission.terminationReason().equals(reason.toJobTerminationReason().wireValue())) {
            return reason == RunTerminationReason.ABORTED_BY_USER ? "aborted" : "stopped";
        }
        return submission.statusMessage();
    }

    /** The run's resources as provisioned (or "-" before). */
    public static String provisioned(Run run, Function<JobSubmission, String> what) {
        JobSubmission latest = latestSubmission(run);
        return latest == null || latest.jobProvisioningData() == null ? "-" : what.apply(latest);
    }

    private static String plural(long count, String unit) {
        return count + " " + unit + (count == 1 ? "" : "s");
    }

    private static String gigabytes(int mib) {
        double gb = mib / 1024.0;
        return (gb == Math.rint(gb) ? String.valueOf((long) gb) : String.format(Locale.ROOT, "%.1f", gb)) + "GB";
    }

    private static String withUnit(String range, String unit) {
        return range.replaceAll("(\\d+(\\.\\d+)?)", "$1" + unit).replace(".0" + unit, unit);
    }
}
