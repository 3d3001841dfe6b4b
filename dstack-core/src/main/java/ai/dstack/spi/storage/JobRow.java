package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * A job submission: table {@code jobs}. Each retry of a job is a new row with the next {@code submissionNum}.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 * Timestamps are truncated to the microsecond, the stored precision.
 *
 * @param instanceId the instance the job runs on
 * @param usedInstanceId the instance it ran on, kept after it is released
 * @param status wire value of JobStatus, e.g. submitted
 * @param terminationReason wire value of JobTerminationReason
 * @param skipMinProcessingInterval due for processing at once
 * @param disconnectedAt first time the instance stopped answering; null once it answers again
 * @param removeAt when the container may be killed after a graceful stop
 * @param instanceAssigned whether assignment was attempted, even if no instance was found
 * @param waitingMasterJob a non-master job waiting for the master job
 * @param runnerTimestamp the runner's last log/state timestamp
 * @param jobSpecData JSON: JobSpec
 * @param jobProvisioningData JSON: JobProvisioningData
 * @param jobRuntimeData JSON: JobRuntimeData
 * @param imagePullProgress JSON
 */
public record JobRow(
        UUID id,
        UUID projectId,
        UUID runId,
        UUID fleetId,
        UUID instanceId,
        UUID usedInstanceId,
        String runName,
        String jobName,
        int jobNum,
        int replicaNum,
        int submissionNum,
        int deploymentNum,
        String status,
        String terminationReason,
        String terminationReasonMessage,
        Integer exitStatus,
        Instant submittedAt,
        Instant lastProcessedAt,
        boolean skipMinProcessingInterval,
        Instant finishedAt,
        Instant startedAt,
        Instant disconnectedAt,
        Instant removeAt,
        Instant volumesDetachedAt,
        boolean instanceAssigned,
        Boolean waitingMasterJob,
        Integer gracefulTerminationAttempts,
        Integer inactivitySecs,
        Long runnerTimestamp,
        String jobSpecData,
        String jobProvisioningData,
        String jobRuntimeData,
        String imagePullProgress) {

    public JobRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(runId, "runId");
        Rows.required(runName, "runName");
        Rows.required(jobName, "jobName");
        Rows.required(status, "status");
        submittedAt = Rows.micros(Rows.required(submittedAt, "submittedAt"));
        lastProcessedAt = Rows.micros(Rows.required(lastProcessedAt, "lastProcessedAt"));
        finishedAt = Rows.micros(finishedAt);
        startedAt = Rows.micros(startedAt);
        disconnectedAt = Rows.micros(disconnectedAt);
        removeAt = Rows.micros(removeAt);
        volumesDetachedAt = Rows.micros(volumesDetachedAt);
        Rows.required(jobSpecData, "jobSpecData");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's values, to change a few of them. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.id = id;
        builder.projectId = projectId;
        builder.runId = runId;
        builder.fleetId = fleetId;
        builder.instanceId = instanceId;
        builder.usedInstanceId = usedInstanceId;
        builder.runName = runName;
        builder.jobName = jobName;
        builder.jobNum = jobNum;
        builder.replicaNum = replicaNum;
        builder.submissionNum = submissionNum;
        builder.deploymentNum = deploymentNum;
        builder.status = status;
        builder.terminationReason = terminationReason;
        builder.terminationReasonMessage = terminationReasonMessage;
        builder.exitStatus = exitStatus;
        builder.submittedAt = submittedAt;
        builder.lastProcessedAt = lastProcessedAt;
        builder.skipMinProcessingInterval = skipMinProcessingInterval;
        builder.finishedAt = finishedAt;
        builder.startedAt = startedAt;
        builder.disconnectedAt = disconnectedAt;
        builder.removeAt = removeAt;
        builder.volumesDetachedAt = volumesDetachedAt;
        builder.instanceAssigned = instanceAssigned;
        builder.waitingMasterJob = waitingMasterJob;
        builder.gracefulTerminationAttempts = gracefulTerminationAttempts;
        builder.inactivitySecs = inactivitySecs;
        builder.runnerTimestamp = runnerTimestamp;
        builder.jobSpecData = jobSpecData;
        builder.jobProvisioningData = jobProvisioningData;
        builder.jobRuntimeData = jobRuntimeData;
        builder.imagePullProgress = imagePullProgress;
        return builder;
    }

    /** Builds a {@link JobRow}. Fields left unset are null, zero or false. */
    public static final class Builder {
        private UUID id;
        private UUID projectId;
        private UUID runId;
        private UUID fleetId;
        private UUID instanceId;
        private UUID usedInstanceId;
        private String runName;
        private String jobName;
        private int jobNum;
        private int replicaNum;
        private int submissionNum;
        private int deploymentNum;
        private String status;
        private String terminationReason;
        private String terminationReasonMessage;
        private Integer exitStatus;
        private Instant submittedAt;
        private Instant lastProcessedAt;
        private boolean skipMinProcessingInterval;
        private Instant finishedAt;
        private Instant startedAt;
        private Instant disconnectedAt;
        private Instant removeAt;
        private Instant volumesDetachedAt;
        private boolean instanceAssigned;
        private Boolean waitingMasterJob;
        private Integer gracefulTerminationAttempts;
        private Integer inactivitySecs;
        private Long runnerTimestamp;
        private String jobSpecData;
        private String jobProvisioningData;
        private String jobRuntimeData;
        private String imagePullProgress;

        private Builder() {}

        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        public Builder projectId(UUID projectId) {
            this.projectId = projectId;
            return this;
        }

        public Builder runId(UUID runId) {
            this.runId = runId;
            return this;
        }

        public Builder fleetId(UUID fleetId) {
            this.fleetId = fleetId;
            return this;
        }

        public Builder instanceId(UUID instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        public Builder usedInstanceId(UUID usedInstanceId) {
            this.usedInstanceId = usedInstanceId;
            return this;
        }

        public Builder runName(String runName) {
            this.runName = runName;
            return this;
        }

        public Builder jobName(String jobName) {
            this.jobName = jobName;
            return this;
        }

        public Builder jobNum(int jobNum) {
            this.jobNum = jobNum;
            return this;
        }

        public Builder replicaNum(int replicaNum) {
            this.replicaNum = replicaNum;
            return this;
        }

        public Builder submissionNum(int submissionNum) {
            this.submissionNum = submissionNum;
            return this;
        }

        public Builder deploymentNum(int deploymentNum) {
            this.deploymentNum = deploymentNum;
            return this;
        }

        public Builder status(String status) {
            this.status = status;
            return this;
        }

        public Builder terminationReason(String terminationReason) {
            this.terminationReason = terminationReason;
            return this;
        }

        public Builder terminationReasonMessage(String terminationReasonMessage) {
            this.terminationReasonMessage = terminationReasonMessage;
            return this;
        }

        public Builder exitStatus(Integer exitStatus) {
            this.exitStatus = exitStatus;
            return this;
        }

        public Builder submittedAt(Instant submittedAt) {
            this.submittedAt = submittedAt;
            return this;
        }

        public Builder lastProcessedAt(Instant lastProcessedAt) {
            this.lastProcessedAt = lastProcessedAt;
            return this;
        }

        public Builder skipMinProcessingInterval(boolean skipMinProcessingInterval) {
            this.skipMinProcessingInterval = skipMinProcessingInterval;
            return this;
        }

        public Builder finishedAt(Instant finishedAt) {
            this.finishedAt = finishedAt;
            return this;
        }

        public Builder startedAt(Instant startedAt) {
            this.startedAt = startedAt;
            return this;
        }

        public Builder disconnectedAt(Instant disconnectedAt) {
            this.disconnectedAt = disconnectedAt;
            return this;
        }

        public Builder removeAt(Instant removeAt) {
            this.removeAt = removeAt;
            return this;
        }

        public Builder volumesDetachedAt(Instant volumesDetachedAt) {
            this.volumesDetachedAt = volumesDetachedAt;
            return this;
        }

        public Builder instanceAssigned(boolean instanceAssigned) {
            this.instanceAssigned = instanceAssigned;
            return this;
        }

        public Builder waitingMasterJob(Boolean waitingMasterJob) {
            this.waitingMasterJob = waitingMasterJob;
            return this;
        }

        public Builder gracefulTerminationAttempts(Integer gracefulTerminationAttempts) {
            this.gracefulTerminationAttempts = gracefulTerminationAttempts;
            return this;
        }

        public Builder inactivitySecs(Integer inactivitySecs) {
            this.inactivitySecs = inactivitySecs;
            return this;
        }

        public Builder runnerTimestamp(Long runnerTimestamp) {
            this.runnerTimestamp = runnerTimestamp;
            return this;
        }

        public Builder jobSpecData(String jobSpecData) {
            this.jobSpecData = jobSpecData;
            return this;
        }

        public Builder jobProvisioningData(String jobProvisioningData) {
            this.jobProvisioningData = jobProvisioningData;
            return this;
        }

        public Builder jobRuntimeData(String jobRuntimeData) {
            this.jobRuntimeData = jobRuntimeData;
            return this;
        }

        public Builder imagePullProgress(String imagePullProgress) {
            this.imagePullProgress = imagePullProgress;
            return this;
        }

        public JobRow build() {
            return new JobRow(
                id, projectId, runId, fleetId, instanceId, usedInstanceId, runName, jobName, jobNum, replicaNum,
                submissionNum, deploymentNum, status, terminationReason, terminationReasonMessage, exitStatus,
                submittedAt, lastProcessedAt, skipMinProcessingInterval, finishedAt, startedAt, disconnectedAt, removeAt,
                volumesDetachedAt, instanceAssigned, waitingMasterJob, gracefulTerminationAttempts, inactivitySecs,
                runnerTimestamp, jobSpecData, jobProvisioningData, jobRuntimeData, imagePullProgress);
        }
    }
}
