package ai.dstack.spi.storage;

import java.time.Instant;
import java.util.List;

/** What happened to the server's resources: tables {@code events} and {@code event_targets}. */
public interface EventStore {
    void insert(EventRow event);

    /**
     * The events that pass the filter, ordered by time then id (newest first unless ascending), starting after the
     * filter's previous event, at most its limit; each with all its targets.
     */
    List<EventRow> list(EventFilter filter);

    /** Deletes events recorded before {@code cutoff}; the number deleted. */
    int deleteOlderThan(Instant cutoff);
}
