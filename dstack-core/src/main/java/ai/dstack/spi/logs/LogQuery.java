package ai.dstack.spi.logs;

import java.time.Instant;

/**
 * dstack's {@code PollLogsRequest} without the job reference. Build one from {@link #defaults()} and the
 * {@code with…} methods.
 *
 * <pre>{@code
 * LogQuery query = LogQuery.defaults().withLimit(1000).withNextToken(previous.nextToken());
 * }</pre>
 *
 * @param startTime only events strictly after this instant, or {@code null} for no lower bound
 * @param endTime an upper bound on the event time, or {@code null} for none. dstack's file storage excludes this
 *     instant when reading forwards and includes it when reading backwards; other stores follow their backend
 * @param descending newest first instead of oldest first
 * @param nextToken the {@link LogPage#nextToken()} of the previous page, or {@code null} to start from the
 *     beginning (or the end, when descending). Its format belongs to the store that issued it
 * @param limit the most events to return, {@value #MIN_LIMIT}..{@value #MAX_LIMIT}
 * @param diagnose read the runner's own (diagnostic) log instead of the job's output
 */
public record LogQuery(
        Instant startTime, Instant endTime, boolean descending, String nextToken, int limit, boolean diagnose) {
    public static final int MIN_LIMIT = 0;
    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_LIMIT = 100;

    public LogQuery {
        if (limit < MIN_LIMIT || limit > MAX_LIMIT) {
            throw new IllegalArgumentException(
                    "limit must be between " + MIN_LIMIT + " and " + MAX_LIMIT + ", was " + limit);
        }
    }

    /** dstack's defaults: the job's output, oldest first, {@value #DEFAULT_LIMIT} events, no bounds. */
    public static LogQuery defaults() {
        return new LogQuery(null, null, false, null, DEFAULT_LIMIT, false);
    }

    public LogQuery withStartTime(Instant startTime) {
        return new LogQuery(startTime, endTime, descending, nextToken, limit, diagnose);
    }

    public LogQuery withEndTime(Instant endTime) {
        return new LogQuery(startTime, endTime, descending, nextToken, limit, diagnose);
    }

    public LogQuery withDescending(boolean descending) {
        return new LogQuery(startTime, endTime, descending, nextToken, limit, diagnose);
    }

    public LogQuery withNextToken(String nextToken) {
        return new LogQuery(startTime, endTime, descending, nextToken, limit, diagnose);
    }

    public LogQuery withLimit(int limit) {
        return new LogQuery(startTime, endTime, descending, nextToken, limit, diagnose);
    }

    public LogQuery withDiagnose(boolean diagnose) {
        return new LogQuery(startTime, endTime, descending, nextToken, limit, diagnose);
    }
}
