package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * A fleet: table {@code fleets}.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 * Timestamps are truncated to the microsecond, the stored precision.
 *
 * @param status wire value of FleetStatus, e.g. active
 * @param spec JSON: FleetSpec
 * @param skipMinProcessingInterval due for processing at once
 */
public record FleetRow(
        UUID id,
        UUID projectId,
        String name,
        String status,
        String statusMessage,
        String spec,
        Instant createdAt,
        Instant lastProcessedAt,
        boolean skipMinProcessingInterval,
        boolean deleted,
        Instant deletedAt,
        UUID currentMasterInstanceId,
        int consolidationAttempt,
        Instant lastConsolidatedAt) {

    public FleetRow {
        Rows.required(id, "id");
        Rows.required(projectId, "projectId");
        Rows.required(name, "name");
        Rows.required(status, "status");
        Rows.required(spec, "spec");
        createdAt = Rows.micros(Rows.required(createdAt, "createdAt"));
        lastProcessedAt = Rows.micros(Rows.required(lastProcessedAt, "lastProcessedAt"));
        deletedAt = Rows.micros(deletedAt);
        lastConsolidatedAt = Rows.micros(lastConsolidatedAt);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's values, to change a few of them. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.id = id;
        builder.projectId = projectId;
        builder.name = name;
        builder.status = status;
        builder.statusMessage = statusMessage;
        builder.spec = spec;
        builder.createdAt = createdAt;
        builder.lastProcessedAt = lastProcessedAt;
        builder.skipMinProcessingInterval = skipMinProcessingInterval;
        builder.deleted = deleted;
        builder.deletedAt = deletedAt;
        builder.currentMasterInstanceId = currentMasterInstanceId;
        builder.consolidationAttempt = consolidationAttempt;
        builder.lastConsolidatedAt = lastConsolidatedAt;
        return builder;
    }

    /** Builds a {@link FleetRow}. Fields left unset are null, zero or false. */
    public static final class Builder {
        private UUID id;
        private UUID projectId;
        private String name;
        private String status;
        private String statusMessage;
        private String spec;
        private Instant createdAt;
        private Instant lastProcessedAt;
        private boolean skipMinProcessingInterval;
        private boolean deleted;
        private Instant deletedAt;
        private UUID currentMasterInstanceId;
        private int consolidationAttempt;
        private Instant lastConsolidatedAt;

        private Builder() {}

        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        public Builder projectId(UUID projectId) {
            this.projectId = projectId;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder status(String status) {
            this.status = status;
            return this;
        }

        public Builder statusMessage(String statusMessage) {
            this.statusMessage = statusMessage;
            return this;
        }

        public Builder spec(String spec) {
            this.spec = spec;
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

        public Builder currentMasterInstanceId(UUID currentMasterInstanceId) {
            this.currentMasterInstanceId = currentMasterInstanceId;
            return this;
        }

        public Builder consolidationAttempt(int consolidationAttempt) {
            this.consolidationAttempt = consolidationAttempt;
            return this;
        }

        public Builder lastConsolidatedAt(Instant lastConsolidatedAt) {
            this.lastConsolidatedAt = lastConsolidatedAt;
            return this;
        }

        public FleetRow build() {
            return new FleetRow(
                id, projectId, name, status, statusMessage, spec, createdAt, lastProcessedAt,
                skipMinProcessingInterval, deleted, deletedAt, currentMasterInstanceId, consolidationAttempt,
                lastConsolidatedAt);
        }
    }
}
