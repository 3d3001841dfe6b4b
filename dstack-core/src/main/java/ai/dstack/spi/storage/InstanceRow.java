package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * An instance (cloud VM, SSH host or placeholder) of a fleet: table {@code instances}.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 * Timestamps are truncated to the microsecond, the stored precision.
 *
 * @param name {@code <fleet>-<instanceNum>}
 * @param status wire value of InstanceStatus, e.g. idle
 * @param health wire value of HealthStatus
 * @param skipMinProcessingInterval due for processing at once
 * @param backend wire value of BackendType, e.g. aws
 * @param backendData JSON
 * @param offer JSON: InstanceOfferWithAvailability
 * @param jobProvisioningData JSON: JobProvisioningData
 * @param profile JSON: Profile
 * @param requirements JSON: Requirements
 * @param instanceConfiguration JSON
 * @param remoteConnectionInfo JSON: how to reach an SSH fleet host
 * @param terminationPolicy wire value, e.g. destroy-after-idle
 * @param terminationIdleTime seconds
 * @param terminationReason wire value of InstanceTerminationReason
 * @param totalBlocks null while "auto" is unresolved
 * @param provisioningJobId set on a placeholder created for a job
 */
public record InstanceRow(
        UUID id,
        UUID projectId,
        UUID fleetId,
        String name,
        int instanceNum,
        String status,
        boolean unreachable,
        String health,
        Instant createdAt,
        Instant lastProcessedAt,
        boolean skipMinProcessingInterval,
        boolean deleted,
        Instant deletedAt,
        Instant startedAt,
        Instant finishedAt,
        String backend,
        String backendData,
        String region,
        Double price,
        String offer,
        String jobProvisioningData,
        String profile,
        String requirements,
        String instanceConfiguration,
        String remoteConnectionInfo,
        String terminationPolicy,
        Integer terminationIdleTime,
        Instant terminationDeadline,
        String terminationReason,
        String terminationReasonMessage,
        Instant firstTerminationRetryAt,
        Instant lastTerminationRetryAt,
        Integer totalBlocks,
        int busyBlocks,
        Instant lastJobProcessedAt,
        UUID provisioningJobId) {

    public InstanceRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(name, "name");
        Rows.required(status, "status");
        Rows.required(health, "health");
        createdAt = Rows.micros(Rows.required(createdAt, "createdAt"));
        lastProcessedAt = Rows.micros(Rows.required(lastProcessedAt, "lastProcessedAt"));
        deletedAt = Rows.micros(deletedAt);
        startedAt = Rows.micros(startedAt);
        finishedAt = Rows.micros(finishedAt);
        terminationDeadline = Rows.micros(terminationDeadline);
        firstTerminationRetryAt = Rows.micros(firstTerminationRetryAt);
        lastTerminationRetryAt = Rows.micros(lastTerminationRetryAt);
        lastJobProcessedAt = Rows.micros(lastJobProcessedAt);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's values, to change a few of them. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.id = id;
        builder.projectId = projectId;
        builder.fleetId = fleetId;
        builder.name = name;
        builder.instanceNum = instanceNum;
        builder.status = status;
        builder.unreachable = unreachable;
        builder.health = health;
        builder.createdAt = createdAt;
        builder.lastProcessedAt = lastProcessedAt;
        builder.skipMinProcessingInterval = skipMinProcessingInterval;
        builder.deleted = deleted;
        builder.deletedAt = deletedAt;
        builder.startedAt = startedAt;
        builder.finishedAt = finishedAt;
        builder.backend = backend;
        builder.backendData = backendData;
        builder.region = region;
        builder.price = price;
        builder.offer = offer;
        builder.jobProvisioningData = jobProvisioningData;
        builder.profile = profile;
        builder.requirements = requirements;
        builder.instanceConfiguration = instanceConfiguration;
        builder.remoteConnectionInfo = remoteConnectionInfo;
        builder.terminationPolicy = terminationPolicy;
        builder.terminationIdleTime = terminationIdleTime;
        builder.terminationDeadline = terminationDeadline;
        builder.terminationReason = terminationReason;
        builder.terminationReasonMessage = terminationReasonMessage;
        builder.firstTerminationRetryAt = firstTerminationRetryAt;
        builder.lastTerminationRetryAt = lastTerminationRetryAt;
        builder.totalBlocks = totalBlocks;
        builder.busyBlocks = busyBlocks;
        builder.lastJobProcessedAt = lastJobProcessedAt;
        builder.provisioningJobId = provisioningJobId;
        return builder;
    }

    /**
     * Builds an {@link InstanceRow}. Fields left unset are null, zero or false, except that {@code health} starts as
     * {@code healthy}.
     */
    public static final class Builder {
        private UUID id;
        private UUID projectId;
        private UUID fleetId;
        private String name;
        private int instanceNum;
        private String status;
        private boolean unreachable;
        private String health = "healthy";
        private Instant createdAt;
        private Instant lastProcessedAt;
        private boolean skipMinProcessingInterval;
        private boolean deleted;
        private Instant deletedAt;
        private Instant startedAt;
        private Instant finishedAt;
        private String backend;
        private String backendData;
        private String region;
        private Double price;
        private String offer;
        private String jobProvisioningData;
        private String profile;
        private String requirements;
        private String instanceConfiguration;
        private String remoteConnectionInfo;
        private String terminationPolicy;
        private Integer terminationIdleTime;
        private Instant terminationDeadline;
        private String terminationReason;
        private String terminationReasonMessage;
        private Instant firstTerminationRetryAt;
        private Instant lastTerminationRetryAt;
        private Integer totalBlocks;
        private int busyBlocks;
        private Instant lastJobProcessedAt;
        private UUID provisioningJobId;

        private Builder() {}

        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        public Builder projectId(UUID projectId) {
            this.projectId = projectId;
            return this;
        }

        public Builder fleetId(UUID fleetId) {
            this.fleetId = fleetId;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder instanceNum(int instanceNum) {
            this.instanceNum = instanceNum;
            return this;
        }

        public Builder status(String status) {
            this.status = status;
            return this;
        }

        public Builder unreachable(boolean unreachable) {
            this.unreachable = unreachable;
            return this;
        }

        public Builder health(String health) {
            this.health = health;
            return this;
        }

        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
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

        public Builder deleted(boolean deleted) {
            this.deleted = deleted;
            return this;
        }

        public Builder deletedAt(Instant deletedAt) {
            this.deletedAt = deletedAt;
            return this;
        }

        public Builder startedAt(Instant startedAt) {
            this.startedAt = startedAt;
            return this;
        }

        public Builder finishedAt(Instant finishedAt) {
            this.finishedAt = finishedAt;
            return this;
        }

        public Builder backend(String backend) {
            this.backend = backend;
            return this;
        }

        public Builder backendData(String backendData) {
            this.backendData = backendData;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder price(Double price) {
            this.price = price;
            return this;
        }

        public Builder offer(String offer) {
            this.offer = offer;
            return this;
        }

        public Builder jobProvisioningData(String jobProvisioningData) {
            this.jobProvisioningData = jobProvisioningData;
            return this;
        }

        public Builder profile(String profile) {
            this.profile = profile;
            return this;
        }

        public Builder requirements(String requirements) {
            this.requirements = requirements;
            return this;
        }

        public Builder instanceConfiguration(String instanceConfiguration) {
            this.instanceConfiguration = instanceConfiguration;
            return this;
        }

        public Builder remoteConnectionInfo(String remoteConnectionInfo) {
            this.remoteConnectionInfo = remoteConnectionInfo;
            return this;
        }

        public Builder terminationPolicy(String terminationPolicy) {
            this.terminationPolicy = terminationPolicy;
            return this;
        }

        public Builder terminationIdleTime(Integer terminationIdleTime) {
            this.terminationIdleTime = terminationIdleTime;
            return this;
        }

        public Builder terminationDeadline(Instant terminationDeadline) {
            this.terminationDeadline = terminationDeadline;
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

        public Builder firstTerminationRetryAt(Instant firstTerminationRetryAt) {
            this.firstTerminationRetryAt = firstTerminationRetryAt;
            return this;
        }

        public Builder lastTerminationRetryAt(Instant lastTerminationRetryAt) {
            this.lastTerminationRetryAt = lastTerminationRetryAt;
            return this;
        }

        public Builder totalBlocks(Integer totalBlocks) {
            this.totalBlocks = totalBlocks;
            return this;
        }

        public Builder busyBlocks(int busyBlocks) {
            this.busyBlocks = busyBlocks;
            return this;
        }

        public Builder lastJobProcessedAt(Instant lastJobProcessedAt) {
            this.lastJobProcessedAt = lastJobProcessedAt;
            return this;
        }

        public Builder provisioningJobId(UUID provisioningJobId) {
            this.provisioningJobId = provisioningJobId;
            return this;
        }

        public InstanceRow build() {
            return new InstanceRow(
                id, projectId, fleetId, name, instanceNum, status, unreachable, health, createdAt, lastProcessedAt,
                skipMinProcessingInterval, deleted, deletedAt, startedAt, finishedAt, backend, backendData, region,
                price, offer, jobProvisioningData, profile, requirements, instanceConfiguration,
                remoteConnectionInfo, terminationPolicy, terminationIdleTime, terminationDeadline, terminationReason,
                terminationReasonMessage, firstTerminationRetryAt, lastTerminationRetryAt, totalBlocks, busyBlocks,
                lastJobProcessedAt, provisioningJobId);
        }
    }
}
