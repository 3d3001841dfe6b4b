package ai.dstack.api.logs;

import ai.dstack.api.json.internal.Values;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The body of {@code logs/poll}.
 *
 * <pre>{@code
 * PollLogsRequest first = PollLogsRequest.newBuilder("train", submission.id()).limit(1000).build();
 * PollLogsRequest next = first.withNextToken(page.nextToken());
 * }</pre>
 *
 * @param jobSubmissionId the {@code id} of the job submission
 * @param startTime only logs after this time (exclusive), or null
 * @param endTime only logs up to this time, or null
 * @param nextToken the token of the previous page, or null for the first page
 * @param limit at most this many events, 0 to 1000; {@value #DEFAULT_LIMIT} when absent
 * @param diagnose true for the runner's diagnostic logs instead of the job's output
 */
public record PollLogsRequest(
        String runName,
        UUID jobSubmissionId,
        Instant startTime,
        Instant endTime,
        boolean descending,
        String nextToken,
        Integer limit,
        boolean diagnose) {
    /** The page size dstack uses when none is given. */
    public static final int DEFAULT_LIMIT = 100;
    /** The largest page size dstack accepts. */
    public static final int MAX_LIMIT = 1000;

    public PollLogsRequest {
        Objects.requireNonNull(runName, "runName is null");
        Objects.requireNonNull(jobSubmissionId, "jobSubmissionId is null");
        limit = Values.orDefault(limit, DEFAULT_LIMIT);
        if (limit < 0 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 0 and " + MAX_LIMIT + ": " + limit);
        }
    }

    public static Builder newBuilder(String runName, UUID jobSubmissionId) {
        return new Builder(runName, jobSubmissionId);
    }

    public PollLogsRequest withNextToken(String nextToken) {
        return new PollLogsRequest(runName, jobSubmissionId, startTime, endTime, descending, nextToken, limit, diagnose);
    }

    /** Builds a {@link PollLogsRequest}; everything but the run and submission starts as dstack's default. */
    public static final class Builder {
        private final String runName;
        private final UUID jobSubmissionId;
        private Instant startTime;
        private Instant endTime;
        private boolean descending;
        private String nextToken;
        private int limit = DEFAULT_LIMIT;
        private boolean diagnose;

        private Builder(String runName, UUID jobSubmissionId) {
            this.runName = runName;
            this.jobSubmissionId = jobSubmissionId;
        }

        public Builder startTime(Instant startTime) {
            this.startTime = startTime;
            return this;
        }

        public Builder endTime(Instant endTime) {
            this.endTime = endTime;
            return this;
        }

        public Builder descending(boolean descending) {
            this.descending = descending;
            return this;
        }

        public Builder nextToken(String nextToken) {
            this.nextToken = nextToken;
            return this;
        }

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public Builder diagnose(boolean diagnose) {
            this.diagnose = diagnose;
            return this;
        }

        public PollLogsRequest build() {
            return new PollLogsRequest(runName, jobSubmissionId, startTime, endTime, descending, nextToken, limit, diagnose);
        }
    }
}
