package ai.dstack.client;

import java.time.Instant;
import java.util.UUID;

/**
 * Which projects {@code projects/list} returns: the caller's projects, plus public ones when
 * {@code includeNotJoined}; every project for a global admin. Fields other than {@code includeNotJoined} are
 * optional; null leaves them to the server (newest first, up to 2000). Listed projects carry no members and no
 * backends: use {@link DstackClient#getProject(String)} for those.
 *
 * @param includeNotJoined include public projects the caller is not a member of
 * @param namePattern only projects whose name contains this, ignoring case
 * @param prevCreatedAt the {@code created_at} of the last project of the previous page
 * @param prevId the id of the last project of the previous page
 * @param limit at most this many projects, 0 to 2000
 */
public record ProjectQuery(
        boolean includeNotJoined, String namePattern, Instant prevCreatedAt, UUID prevId, Integer limit,
        Boolean ascending) {
    /** The most users or projects dstack returns at once, and the default. */
    public static final int MAX_LIMIT = 2000;

    public ProjectQuery {
        checkLimit(limit);
    }

    /** The caller's projects and the public ones. */
    public static ProjectQuery all() {
        return new ProjectQuery(true, null, null, null, null, null);
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    static void checkLimit(Integer limit) {
        if (limit != null && (limit < 0 || limit > MAX_LIMIT)) {
            throw new IllegalArgumentException("limit must be between 0 and " + MAX_LIMIT + ": " + limit);
        }
    }

    /** Builds a {@link ProjectQuery}; {@code includeNotJoined} starts true, every other field unset. */
    public static final class Builder {
        private boolean includeNotJoined = true;
        private String namePattern;
        private Instant prevCreatedAt;
        private UUID prevId;
        private Integer limit;
        private Boolean ascending;

        private Builder() {}

        public Builder includeNotJoined(boolean includeNotJoined) {
            this.includeNotJoined = includeNotJoined;
            return this;
        }

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

        public ProjectQuery build() {
            return new ProjectQuery(includeNotJoined, namePattern, prevCreatedAt, prevId, limit, ascending);
        }
    }
}
