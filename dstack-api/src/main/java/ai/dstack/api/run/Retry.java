package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import java.util.List;

/**
 * When and for how long a job is resubmitted.
 *
 * @param onEvents the events that trigger a retry
 * @param duration seconds, counted as dstack does from the submission or the last provisioning
 */
public record Retry(List<RetryEvent> onEvents, int duration) {
    public Retry {
        onEvents = Values.list(onEvents);
    }
}
