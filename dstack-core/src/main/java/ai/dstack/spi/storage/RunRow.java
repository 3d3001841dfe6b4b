package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * A run: table {@code runs}.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 * Timestamps are truncated to the microsecond, the stored precision.
 *
 * @param fleetId the fleet the run's jobs were placed in
 * @param status wire value of RunStatus, e.g. submitted
 * @param terminationReason wire value of RunTerminationReason
 * @param skipMinProcessingInterval due for processing at once
 * @param nextTriggeredAt next cron fire of a scheduled run
 * @param desiredReplicaCounts JSON: per replica group
 * @param runSpec JSON: RunSpec
 * @param serviceSpec JSON: ServiceSpec
 */
public record RunRow(
        UUID id,
        UUID projectId,
        UUID userId,
        UUID repoId,
        UUID fleetId,
        String runName,
        String status,
        String terminationReason,
        Instant submittedAt,
        Instant lastProcessedAt,
        boolean skipMinProcessingInterval,
        Instant nextTriggeredAt,
        int resubmissionAttempt,
        int priority,
        int deploymentNum,
        int desiredReplicaCount,
        String desiredReplicaCounts,
        String runSpec,
        String serviceSpec,
        boolean deleted) {

    public RunRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(userId, "userId");
        Rows.required(runName, "runName");
        Rows.required(status, "status");
        submittedAt = Rows.micros(Rows.required(submittedAt, "submittedAt"));
        lastProcessedAt = Rows.micros(Rows.required(lastProcessedAt, "lastProcessedAt"));
        nextTriggeredAt = Rows.micros(nextTriggeredAt);
        Rows.required(runSpec, "runSpec");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's values, to change a few of them. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.id = id;
        builder.projectId = projectId;
        builder.userId = userId;
        builder.repoId = repoId;
        builder.fleetId = fleetId;
        builder.runName = runName;
        builder.status = status;
        builder.terminationReason = terminationReason;
        builder.submittedAt = submittedAt;
        builder.lastProcessedAt = lastProcessedAt;
        builder.skipMinProcessingInterval = skipMinProcessingInterval;
        builder.nextTriggeredAt = nextTriggeredAt;
        builder.resubmissionAttempt = resubmissionAttempt;
        builder.priority = priority;
        builder.deploymentNum = deploymentNum;
        builder.desiredReplicaCount = desiredReplicaCount;
        builder.desiredReplicaCounts = desiredReplicaCounts;
        builder.runSpec = runSpec;
        builder.serviceSpec = serviceSpec;
        builder.deleted = deleted;
        return builder;
    }

    /** Builds a {@link RunRow}. Fields left unset are null, zero or false. */
    public static final class Builder {
        private UUID id;
        private UUID projectId;
        private UUID userId;
        private UUID repoId;
        private UUID fleetId;
        private String runName;
        private String status;
        private String terminationReason;
        private Instant submittedAt;
        private Instant lastProcessedAt;
        private boolean skipMinProcessingInterval;
        private Instant nextTriggeredAt;
        private int resubmissionAttempt;
        private int priority;
        private int deploymentNum;
        private int desiredReplicaCount;
        private String desiredReplicaCounts;
        private String runSpec;
        private String serviceSpec;
        private boolean deleted;

        private Builder() {}

        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        public Builder projectId(UUID projectId) {
            this.projectId = projectId;
            return this;
        }

        public Builder userId(UUID userId) {
            this.userId = userId;
            return this;
        }

        public Builder repoId(UUID repoId) {
            this.repoId = repoId;
            return this;
        }

        public Builder fleetId(UUID fleetId) {
            this.fleetId = fleetId;
            return this;
        }

        public Builder runName(String runName) {
            this.runName = runName;
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

        public Builder nextTriggeredAt(Instant nextTriggeredAt) {
            this.nextTriggeredAt = nextTriggeredAt;
            return this;
        }

        public Builder resubmissionAttempt(int resubmissionAttempt) {
            this.resubmissionAttempt = resubmissionAttempt;
            return this;
        }

        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder deploymentNum(int deploymentNum) {
            this.deploymentNum = deploymentNum;
            return this;
        }

        public Builder desiredReplicaCount(int desiredReplicaCount) {
            this.desiredReplicaCount = desiredReplicaCount;
            return this;
        }

        public Builder desiredReplicaCounts(String desiredReplicaCounts) {
            this.desiredReplicaCounts = desiredReplicaCounts;
            return this;
        }

        public Builder runSpec(String runSpec) {
            this.runSpec = runSpec;
            return this;
        }

        public Builder serviceSpec(String serviceSpec) {
            this.serviceSpec = serviceSpec;
            return this;
        }

        public Builder deleted(boolean deleted) {
            this.deleted = deleted;
            return this;
        }

        public RunRow build() {
            return new RunRow(
                id, projectId, userId, repoId, fleetId, runName, status, terminationReason, submittedAt,
                lastProcessedAt, skipMinProcessingInterval, nextTriggeredAt, resubmissionAttempt, priority,
                deploymentNum, desiredReplicaCount, desiredReplicaCounts, runSpec, serviceSpec, deleted);
        }
    }
}
