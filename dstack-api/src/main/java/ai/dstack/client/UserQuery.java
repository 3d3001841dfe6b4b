package ai.dstack.client;

import java.time.Instant;
import java.util.UUID;

/**
 * Which users {@code users/list} returns: all users for a global admin, only the caller for anyone else. Every
 * field is optional; null leaves it to the server (newest first, up to 2000).
 *
 * @param namePattern only users whose name contains this, ignoring case
 * @param prevCreatedAt the {@code created_at} of the last user of the previous page
 * @param prevId the id of the last user of the previous page
 * @param limit at most this many users, 0 to 2000
 */
public record UserQuery(String namePattern, Instant prevCreatedAt, UUID prevId, Integer limit, Boolean ascending) {
    public UserQuery {
        ProjectQuery.checkLimit(limit);
    }

    /** Every user the caller may see. */
    public static UserQuery all() {
        return new UserQuery(null, null, null, null, null);
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    /** Builds a {@link UserQuery}; every field starts unset. */
    public static final class Builder {
        private String namePattern;
        private Instant prevCreatedAt;
        private UUID prevId;
        private Integer limit;
        private Boolean ascending;

        private Builder() {}

        public Builder namePattern(String namePattern) {
            this.namePattern = namePattern;
            return this;
        }

        public Builder prevCreatedAt(Instant prevCreatedAt) {
            this.prevCreatedAt = prevCreatedAt;
            return this;
        }

        public Builder prevId(UUID prevId) {
            this.prevId = prevId;
            return this;
        }

        public Builder limit(Integer limit) {
            this.limit = limit;
            return this;
        }

        public Builder ascending(Boolean ascending) {
            this.ascending = ascending;
            return this;
        }

        public UserQuery build() {
            return new UserQuery(namePattern, prevCreatedAt, prevId, limit, ascending);
        }
    }
}
