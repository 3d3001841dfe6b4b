package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import java.util.List;
import java.util.Objects;

/**
 * A job of a run with its submissions, oldest first.
 *
 * @param jobConnectionInfo set by {@code runs/get} for running jobs, else null
 */
public record Job(JobSpec jobSpec, List<JobSubmission> jobSubmissions, JobConnectionInfo jobConnectionInfo) {
    public Job {
        Objects.requireNonNull(jobSpec, "jobSpec is null");
        jobSubmissions = Values.list(jobSubmissions);
    }

    /** The newest submission, or null when the reply left submissions out. */
    public JobSubmission latestSubmission() {
        return jobSubmissions.isEmpty() ? null : jobSubmissions.get(jobSubmissions.size() - 1);
    }
}
