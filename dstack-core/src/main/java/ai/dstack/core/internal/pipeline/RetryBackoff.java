package ai.dstack.core.internal.pipeline;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How long a failed job waits before it is submitted again, as dstack's pipelines space out resubmissions: the first
 * retry at once, then 15 s, 30 s, 1, 2 and 5 minutes, and 10 minutes from then on. A job that keeps failing at once
 * (a crash loop) is resubmitted a handful of times per retry duration, not thousands.
 */
final class RetryBackoff {
    private static final List<Duration> DELAYS = List.of(Duration.ZERO, Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10));

    private RetryBackoff() {}

    /** The wait after the submission numbered {@code submissionNum} (0 for the first) failed. */
    static Duration delayAfter(int submissionNum) {
        return DELAYS.get(Math.min(Math.max(submissionNum, 0), DELAYS.size() - 1));
    }

    /** When a submission that failed at {@code failedAt} may be submitted again. */
    static Instant dueAt(int submissionNum, Instant failedAt) {
        return failedAt.plus(delayAfter(submissionNum));
    }
}
