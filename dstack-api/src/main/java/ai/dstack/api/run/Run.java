package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A run as dstack's API returns it: its spec, status, jobs and cost.
 *
 * @param user the user name of the submitter
 * @param fleet the fleet the run was placed on, or null
 * @param statusMessage what the CLI shows as status, e.g. {@code retrying}; {@code ""} when absent
 * @param terminationReason the wire string; see {@link #runTerminationReason()}
 * @param jobs sorted by replica and job number
 * @param latestJobSubmission the newest submission of the first job, or null
 * @param cost dollars, summed over all submissions
 * @param service where a service is published, or null
 * @param deploymentNum bumped by each in-place update; 0 when absent
 * @param error a short text for the termination reason, or null
 * @param deleted null from servers that do not say
 * @param nextTriggeredAt the next scheduled start of a run with a {@code schedule}
 */
public record Run(
        UUID id,
        String projectName,
        String user,
        RunFleet fleet,
        Instant submittedAt,
        Instant lastProcessedAt,
        RunStatus status,
        String statusMessage,
        String terminationReason,
        RunSpec runSpec,
        List<Job> jobs,
        JobSubmission latestJobSubmission,
        double cost,
        ServiceSpec service,
        int deploymentNum,
        String error,
        Boolean deleted,
        Instant nextTriggeredAt) {
    public Run {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(projectName, "projectName is null");
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(submittedAt, "submittedAt is null");
        Objects.requireNonNull(lastProcessedAt, "lastProcessedAt is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(runSpec, "runSpec is null");
        statusMessage = Values.orDefault(statusMessage, "");
        jobs = Values.list(jobs);
    }

    /** The termination reason, or null when there is none or this version does not know it. */
    public RunTerminationReason runTerminationReason() {
        return RunTerminationReason.fromWireValue(terminationReason);
    }

    /** Whether some job's latest submission is still active but belongs to an older deployment. */
    public boolean deploymentInProgress() {
        for (Job job : jobs) {
            JobSubmission latest = job.latestSubmission();
            if (latest != null && !latest.status().isFinished() && latest.deploymentNum() != deploymentNum) {
                return true;
            }
        }
        return false;
    }
}
