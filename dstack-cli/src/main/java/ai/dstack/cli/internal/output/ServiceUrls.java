package ai.dstack.cli.internal.output;

import ai.dstack.api.run.Job;
import ai.dstack.api.run.JobStatus;
import ai.dstack.api.run.JobSubmission;
import ai.dstack.api.run.Probe;
import ai.dstack.api.run.ProbeSpec;
import ai.dstack.api.run.Run;
import java.util.List;

/** Where a service is published, and its replicas' probe marks, as dstack's CLI shows them. */
public final class ServiceUrls {
    private ServiceUrls() {}

    /** The service's full URL (the server's URL before a relative one), or null when the run is no service. */
    public static String url(Run run, String serverUrl) {
        if (run.service() == null) {
            return null;
        }
        return absolute(run.service().url(), serverUrl);
    }

    /** {@code url} as is when absolute, else after the server's URL. */
    public static String absolute(String url, String serverUrl) {
        if (url.startsWith("http://") || url.startsWith("https://") || serverUrl == null) {
            return url;
        }
        String base = serverUrl.endsWith("/") ? serverUrl.substring(0, serverUrl.length() - 1) : serverUrl;
        return base + (url.startsWith("/") ? url : "/" + url);
    }

    /**
     * dstack's probe marks of a running replica, one per probe: {@code ✓} ready, {@code ~} passing but not yet
     * {@code ready_after} times, {@code ×} failing; empty for a replica that is not running or has no probes.
     */
    public static String probes(Job job) {
        JobSubmission latest = job.latestSubmission();
        if (latest == null || latest.status() != JobStatus.RUNNING || latest.probes().isEmpty()) {
            return "";
        }
        List<ProbeSpec> specs = job.jobSpec().probes();
        StringBuilder marks = new StringBuilder();
        for (int i = 0; i < Math.min(specs.size(), latest.probes().size()); i++) {
            Probe probe = latest.probes().get(i);
            marks.append(probe.successStreak() >= specs.get(i).readyAfter() ? "✓" : probe.successStreak() > 0 ? "~" : "×");
        }
        return marks.toString();
    }
}
