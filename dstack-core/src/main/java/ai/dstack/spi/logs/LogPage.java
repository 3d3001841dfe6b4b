package ai.dstack.spi.logs;

import java.util.List;
import java.util.Objects;

/**
 * dstack's {@code JobSubmissionLogs}: one page of a poll.
 *
 * @param events the events, in the order asked for
 * @param nextToken pass back as {@link LogQuery#nextToken()} to get the next page; {@code null} when there is no
 *     more data at the moment
 * @param externalUrl a link to the logs in the storage's own console (CloudWatch, GCP), or {@code null}
 */
public record LogPage(List<LogEvent> events, String nextToken, String externalUrl) {
    public LogPage {
        events = List.copyOf(Objects.requireNonNull(events, "events is null"));
    }

    public static LogPage empty() {
        return new LogPage(List.of(), null, null);
    }
}
