package ai.dstack.spi.logs;

import java.util.List;

/**
 * dstack's {@code LogStorage}: appends the lines the runner reports for a job submission and serves them back in
 * pages. Implementations must be safe for concurrent use by writers of different jobs and by any number of readers
 * and followers. Share one instance per server; {@link #close()} ends every subscription.
 */
public interface LogStore extends AutoCloseable {

    /**
     * Appends events to a job submission's logs. Either list may be empty; both keep their order.
     *
     * @param jobLines the job's output (read back with {@code diagnose=false})
     * @param runnerLines the runner's own messages (read back with {@code diagnose=true})
     * @throws ai.dstack.api.DstackException if the storage fails or a name cannot be stored
     */
    void write(JobLogRef job, List<LogEvent> jobLines, List<LogEvent> runnerLines);

    /**
     * One page of a job submission's logs. An unknown run or submission gives an empty page, not an error.
     *
     * @throws ai.dstack.api.DstackException with {@link ai.dstack.api.ErrorCode#ERROR} and dstack's
     *     message {@code "Invalid next_token: …"} for a token this store did not issue, or
     *     {@code "Failed to poll logs from log storage"} when the storage fails
     */
    LogPage poll(JobLogRef job, LogQuery query);

    /**
     * Streams a job submission's events to {@code listener} as they are {@link #write written} through this store,
     * without a thread per follower. Events written by other processes or other store instances are not seen;
     * poll for those.
     *
     * @return the registration; close it to stop
     */
    LogSubscription follow(JobLogRef job, LogFollow follow, LogListener listener);

    /** Ends every subscription and releases the storage's resources. */
    @Override
    void close();
}
