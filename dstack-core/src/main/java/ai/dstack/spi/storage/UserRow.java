package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.UUID;

/**
 * A user: table {@code users}.
 *
 * <p>Statuses, roles and reasons are dstack's wire strings; JSON columns hold JSON text, stored as given.
 * Timestamps are truncated to the microsecond, the stored precision.
 *
 * @param globalRole wire value: admin, user
 * @param token the token as the caller stores it (dstack keeps it encrypted)
 * @param tokenHash sha256 hex of the token, for lookup
 * @param originalName a deleted user's name, while name holds a unique placeholder
 */
public record UserRow(
        UUID id,
        String name,
        Instant createdAt,
        String globalRole,
        String token,
        String tokenHash,
        boolean active,
        boolean deleted,
        String originalName,
        String sshPublicKey,
        String sshPrivateKey,
        String email,
        int projectsQuota) {

    public UserRow {
        Rows.required(id, "id");
        Rows.required(name, "name");
        createdAt = Rows.micros(Rows.required(createdAt, "createdAt"));
        Rows.required(globalRole, "globalRole");
        Rows.required(token, "token");
        Rows.required(tokenHash, "tokenHash");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this row's values, to change a few of them. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        builder.id = id;
        builder.name = name;
        builder.createdAt = createdAt;
        builder.globalRole = globalRole;
        builder.token = token;
        builder.tokenHash = tokenHash;
        builder.active = active;
        builder.deleted = deleted;
        builder.originalName = originalName;
        builder.sshPublicKey = sshPublicKey;
        builder.sshPrivateKey = sshPrivateKey;
        builder.email = email;
        builder.projectsQuota = projectsQuota;
        return builder;
    }

    /**
     * Builds a {@link UserRow}. Fields left unset are null, zero or false, except that {@code active} starts as
     * {@code true} and {@code projectsQuota} as {@code 10} (dstack's defaults).
     */
    public static final class Builder {
        private UUID id;
        private String name;
        private Instant createdAt;
        private String globalRole;
        private String token;
        private String tokenHash;
        private boolean active = true;
        private boolean deleted;
        private String originalName;
        private String sshPublicKey;
        private String sshPrivateKey;
        private String email;
        private int projectsQuota = 10;

        private Builder() {}

        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        public Builder globalRole(String globalRole) {
            this.globalRole = globalRole;
            return this;
        }

        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder tokenHash(String tokenHash) {
            this.tokenHash = tokenHash;
            return this;
        }

        public Builder active(boolean active) {
            this.active = active;
            return this;
        }

        public Builder deleted(boolean deleted) {
            this.deleted = deleted;
            return this;
        }

        public Builder originalName(String originalName) {
            this.originalName = originalName;
            return this;
        }

        public Builder sshPublicKey(String sshPublicKey) {
            this.sshPublicKey = sshPublicKey;
            return this;
        }

        public Builder sshPrivateKey(String sshPrivateKey) {
            this.sshPrivateKey = sshPrivateKey;
            return this;
        }

        public Builder email(String email) {
            this.email = email;
            return this;
        }

        public Builder projectsQuota(int projectsQuota) {
            this.projectsQuota = projectsQuota;
            return this;
        }

        public UserRow build() {
            return new UserRow(
                id, name, createdAt, globalRole, token, tokenHash, active, deleted, originalName, sshPublicKey,
                sshPrivateKey, email, projectsQuota);
        }
    }
}
