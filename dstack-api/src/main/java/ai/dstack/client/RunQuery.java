package ai.dstack.client;

import java.time.Instant;
import java.util.UUID;

/**
 * Which runs {@code runs/list} returns, newest first unless {@code ascending}. Pages are chained with
 * {@code prevSubmittedAt}/{@code prevRunId} taken from the last run of the previous page.
 *
 * <pre>{@code
 * List<Run> active = client.listRuns(RunQuery.newBuilder().projectName("main").onlyActive(true).build());
 * }</pre>
 *
 * @param projectName null for the runs of every project the user is a member of
 * @param repoId only runs of this repo; requires {@code projectName}
 * @param username only runs of this user
 * @param onlyActive leave out finished runs
 * @param includeJobs include the jobs of each run
 * @param jobSubmissionsLimit at most this many latest submissions per job, 0 to 10; null for 10
 * @param prevSubmittedAt the {@code submitted_at} of the last run of the previous page
 * @param prevRunId the id of the last run of the previous page
 * @param limit at most this many runs, 0 to 100
 */
public record RunQuery(
        String projectName,
        String repoId,
        String username,
        boolean onlyActive,
        boolean includeJobs,
        Integer jobSubmissionsLimit,
        Instant prevSubmittedAt,
        UUID prevRunId,
        int limit,
        boolean ascending) {
    /** The most runs dstack returns at once, and the default. */
    public static final int MAX_LIMIT = 100;

    public RunQuery {
        if (limit < 0 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 0 and " + MAX_LIMIT + ": " + limit);
        }
        if (jobSubmissionsLimit != null && (jobSubmissionsLimit < 0 || jobSubmissionsLimit > 10)) {
            throw new IllegalArgumentException("jobSubmissionsLimit must be between 0 and 10: " + jobSubmissionsLimit);
        }
    }

    /** The latest runs of every project, as many as dstack returns at once. */
    public static RunQuery all() {
        return newBuilder().build();
    }

    /** The latest runs of one project. */
    public static RunQuery ofProject(String projectName) {
        return newBuilder().projectName(projectName).build();
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .projectName(projectName)
                .repoId(repoId)
                .username(username)
                .onlyActive(onlyActive)
                .includeJobs(includeJobs)
                .jobSubmissionsLimit(jobSubmissionsLimit)
                .prevSubmittedAt(prevSubmittedAt)
                .prevRunId(prevRunId)
                .limit(limit)
                .ascending(ascending);
    }

    /** The same query for another project. */
    public RunQuery withProjectName(String projectName) {
        return toBuilder().projectName(projectName).build();
    }

    /** Builds a {@link RunQuery}; every field starts as dstack's default. */
    public static final class Builder {
        private String projectName;
        private String repoId;
        private String username;
        private boolean onlyActive;
        private boolean includeJobs = true;
        private Integer jobSubmissionsLimit;
        private Instant prevSubmittedAt;
        private UUID prevRunId;
        private int limit = MAX_LIMIT;
        private boolean ascending;

        private Builder() {}

        public Builder projectName(String projectName) {
            this.projectName = projectName;
            return this;
        }

        public Builder repoId(String repoId) {
            this.repoId = repoId;
            return this;
        }

        public Builder username(String username) {
            this.username = username;
            return this;
        }

        public Builder onlyActive(boolean onlyActive) {
            this.onlyActive = onlyActive;
            return this;
        }

        public Builder includeJobs(boolean includeJobs) {
            this.includeJobs = includeJobs;
            return this;
        }

        public Builder jobSubmissionsLimit(Integer jobSubmissionsLimit) {
            this.jobSubmissionsLimit = jobSubmissionsLimit;
            return this;
        }

        public Builder prevSubmittedAt(Instant prevSubmittedAt) {
            this.prevSubmittedAt = prevSubmittedAt;
            return this;
        }

        public Builder prevRunId(UUID prevRunId) {
            this.prevRunId = prevRunId;
            return this;
        }

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public Builder ascending(boolean ascending) {
            this.ascending = ascending;
            return this;
        }

        public RunQuery build() {
            return new RunQuery(projectName, repoId, username, onlyActive, includeJobs, jobSubmissionsLimit,
                    prevSubmittedAt, prevRunId, limit, ascending);
        }
    }
}
