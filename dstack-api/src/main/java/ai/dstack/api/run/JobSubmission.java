package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One attempt at running a job. A job gets a new submission each time it is retried or redeployed.
 *
 * @param id the job's id; logs are polled by it
 * @param deploymentNum the run deployment this submission belongs to; 0 when absent
 * @param finishedAt set once the submission is finished
 * @param inactivitySecs seconds without SSH connections, for dev environments
 * @param statusMessage what the CLI shows as status, e.g. {@code exited (1)}; {@code ""} when absent
 * @param terminationReason the wire string; see {@link #jobTerminationReason()}
 * @param exitStatus the container's exit code, when it exited
 * @param error a short text for the termination reason, or null
 * @param probes one entry per readiness probe of the job spec; empty when absent
 */
public record JobSubmission(
        UUID id,
        int submissionNum,
        int deploymentNum,
        Instant submittedAt,
        Instant lastProcessedAt,
        Instant finishedAt,
        Integer inactivitySecs,
        JobStatus status,
        String statusMessage,
        String terminationReason,
        String terminationReasonMessage,
        Integer exitStatus,
        JobProvisioningData jobProvisioningData,
        JobRuntimeData jobRuntimeData,
        String error,
        List<Probe> probes,
        ImagePullProgress imagePullProgress) {
    public JobSubmission {
        Objects.requireNonNull(id, "id is null");
        Objects.requireNonNull(submittedAt, "submittedAt is null");
        Objects.requireNonNull(lastProcessedAt, "lastProcessedAt is null");
        Objects.requireNonNull(status, "status is null");
        statusMessage = Values.orDefault(statusMessage, "");
        probes = Values.list(probes);
    }

    /** The termination reason, or null when there is none or this version does not know it. */
    public JobTerminationReason jobTerminationReason() {
        return JobTerminationReason.fromWireValue(terminationReason);
    }
}
