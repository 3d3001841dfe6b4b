package ai.dstack.spi.logs;

import java.util.List;

/**
 * Receives the events of one {@link LogStore#follow followed} log, in the order they were written, one batch at a
 * time and never concurrently.
 *
 * <p>Calls run on the thread that wrote the events (or, while stored events are replayed, on the thread that
 * called {@code follow}), so a listener must be fast and must not block: hand the batch to a queue, a websocket
 * send, or an executor. A listener that throws is unsubscribed.
 */
@FunctionalInterface
public interface LogListener {

    /** New events, never empty. */
    void onEvents(List<LogEvent> events);

    /**
     * The subscription has ended: closed by its owner, by the store's {@code close()}, or because
     * {@link #onEvents} threw. Called once; no events follow it.
     */
    default void onClosed() {}
}
