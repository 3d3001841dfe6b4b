package ai.dstack.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Which logs {@link DstackClient#followLogs} follows and how often it asks for more.
 *
 * <pre>{@code
 * project.followLogs(FollowLogsRequest.newBuilder("train").replicaNum(1).build(), event -> ...);
 * }</pre>
 *
 * @param runName the run
 * @param replicaNum the replica of the job to follow; 0 as in {@code dstack logs}
 * @param jobNum the job (node) within the replica; 0 as in {@code dstack logs}
 * @param startTime only logs after this time (exclusive); null for all
 * @param diagnose follow the runner's diagnostic logs instead of the job's output
 * @param pollInterval how long to wait before asking again once the logs are caught up
 */
public record FollowLogsRequest(
        String runName, int replicaNum, int jobNum, Instant startTime, boolean diagnose, Duration pollInterval) {
    /** One second, as dstack's CLI waits between run status polls. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    public FollowLogsRequest {
        Objects.requireNonNull(runName, "runName is null");
        Objects.requireNonNull(pollInterval, "pollInterval is null");
        if (replicaNum < 0) {
            throw new IllegalArgumentException("replicaNum < 0: " + replicaNum);
        }
        if (jobNum < 0) {
            throw new IllegalArgumentException("jobNum < 0: " + jobNum);
        }
        if (pollInterval.isNegative()) {
            throw new IllegalArgumentException("pollInterval < 0: " + pollInterval);
        }
    }

    /** The output of job 0 of replica 0, from the start. */
    public static FollowLogsRequest of(String runName) {
        return newBuilder(runName).build();
    }

    public static Builder newBuilder(String runName) {
        return new Builder(runName);
    }

    /** Builds a {@link FollowLogsRequest}; everything but the run starts as {@code dstack logs} does. */
    public static final class Builder {
        private final String runName;
        private int replicaNum;
        private int jobNum;
        private Instant startTime;
        private boolean diagnose;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;

        private Builder(String runName) {
            this.runName = runName;
        }

        public Builder replicaNum(int replicaNum) {
            this.replicaNum = replicaNum;
            return this;
        }

        public Builder jobNum(int jobNum) {
            this.jobNum = jobNum;
            return this;
        }

        public Builder startTime(Instant startTime) {
            this.startTime = startTime;
            return this;
        }

        public Builder diagnose(boolean diagnose) {
            this.diagnose = diagnose;
            return this;
        }

        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        public FollowLogsRequest build() {
            return new FollowLogsRequest(runName, replicaNum, jobNum, startTime, diagnose, pollInterval);
        }
    }
}
