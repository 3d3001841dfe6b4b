package ai.dstack.api.logs;

import ai.dstack.api.json.internal.Values;
import java.util.List;

/**
 * One page of a job submission's logs, the reply of {@code logs/poll}.
 *
 * @param externalUrl a link to the logs in the cloud console, or null
 * @param nextToken pass it back to get the next page; null when there is no more data for now
 */
public record JobSubmissionLogs(List<LogEvent> logs, String externalUrl, String nextToken) {
    public JobSubmissionLogs {
        logs = Values.list(logs);
    }

    /** The messages of this page in order, decoded as UTF-8 (a malformed sequence becomes U+FFFD). */
    public String text() {
        StringBuilder text = new StringBuilder();
        for (LogEvent event : logs) {
            text.append(new String(event.messageBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return text.toString();
    }
}
