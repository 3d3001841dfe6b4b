package ai.dstack.spi.logs;

import java.util.Objects;
import java.util.UUID;

/**
 * Which log stream: one submission of one job. dstack keys its log storage by these three values.
 *
 * @param project the project name
 * @param runName the run name
 * @param jobSubmissionId the job submission's id ({@code JobSubmission.id} in dstack's API)
 */
public record JobLogRef(String project, String runName, UUID jobSubmissionId) {
    public JobLogRef {
        Objects.requireNonNull(project, "project is null");
        Objects.requireNonNull(runName, "runName is null");
        Objects.requireNonNull(jobSubmissionId, "jobSubmissionId is null");
    }
}
