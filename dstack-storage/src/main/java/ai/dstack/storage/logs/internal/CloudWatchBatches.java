package ai.dstack.storage.logs.internal;

import ai.dstack.spi.logs.LogEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts a write into {@code PutLogEvents} batches that CloudWatch accepts (its documented limits, with dstack's margins),
 * so that it never answers {@code InvalidParameterException}: at most {@value #MAX_EVENTS} events and
 * {@value #MAX_BATCH_BYTES} bytes (UTF-8 + {@value #EVENT_OVERHEAD} per event), sorted by time, spanning at most 24 h.
 *
 * <p>Unlike dstack, which drops an event over 256 KiB, such a message is cut into pieces with the same timestamp.
 * Like dstack, empty messages and events CloudWatch would reject for their age (14 days in the past, 2 hours in
 * the future, less 10 minutes of clock drift) are dropped and counted.
 */
final class CloudWatchBatches {
    static final int MAX_EVENTS = 10_000;
    static final int MAX_BATCH_BYTES = 1_048_576;
    static final int EVENT_OVERHEAD = 26;
    static final int MAX_EVENT_BYTES = 262_144;
    static final long MAX_SPAN_MS = Duration.ofHours(24).toMillis();
    static final long CLOCK_DRIFT_MS = Duration.ofMinutes(10).toMillis();
    static final long MAX_PAST_MS = Duration.ofDays(14).toMillis() - CLOCK_DRIFT_MS;
    static final long MAX_FUTURE_MS = Duration.ofHours(2).toMillis() - CLOCK_DRIFT_MS;

    /** One event as CloudWatch stores it: a millisecond timestamp and its UTF-8 size. */
    record Event(long timestampMs, String message, int bytes) {
        int size() {
            return bytes + EVENT_OVERHEAD;
        }

        LogEvent toLogEvent() {
            return LogEvent.stdout(Instant.ofEpochMilli(timestampMs), message);
        }
    }

    /**
     * @param batches the {@code PutLogEvents} calls to make, in order
     * @param tooOld events dropped as older than CloudWatch keeps
     * @param tooNew events dropped as too far in the future
     */
    record Plan(List<List<Event>> batches, int tooOld, int tooNew) {
        /** Every event that is sent, in the order sent. */
        List<LogEvent> sent() {
            return batches.stream().flatMap(List::stream).map(Event::toLogEvent).toList();
        }
    }

    private CloudWatchBatches() {}

    static Plan plan(List<LogEvent> events, long nowMs) {
        List<Event> accepted = new ArrayList<>();
        int tooOld = 0;
        int tooNew = 0;
        for (LogEvent event : events) {
            if (event.message().isEmpty()) {
                continue;
            }
            long timestamp = event.timestamp().toEpochMilli();
            if (nowMs - timestamp > MAX_PAST_MS) {
                tooOld++;
            } else if (timestamp - nowMs > MAX_FUTURE_MS) {
                tooNew++;
            } else {
                accepted.addAll(pieces(timestamp, event.message()));
            }
        }
        accepted.sort(Comparator.comparingLong(Event::timestampMs)); // stable: equal times keep their order
        return new Plan(batches(accepted), tooOld, tooNew);
    }

    private static List<List<Event>> batches(List<Event> sorted) {
        List<List<Event>> batches = new ArrayList<>();
        List<Event> batch = new ArrayList<>();
        long batchBytes = 0;
        for (Event event : sorted) {
            boolean full = batch.size() == MAX_EVENTS
                    || batchBytes + event.size() > MAX_BATCH_BYTES
                    || (!batch.isEmpty() && event.timestampMs() - batch.get(0).timestampMs() > MAX_SPAN_MS);
            if (full) {
                batches.add(batch);
                batch = new ArrayList<>();
                batchBytes = 0;
            }
            batch.add(event);
            batchBytes += event.size();
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    /** The message as one event, or cut at code-point boundaries into pieces that each fit one event. */
    static List<Event> pieces(long timestampMs, String message) {
        int maxBytes = MAX_EVENT_BYTES - EVENT_OVERHEAD;
        int bytes = utf8Length(message);
        if (bytes <= maxBytes) {
            return List.of(new Event(timestampMs, message, bytes));
        }
        List<Event> pieces = new ArrayList<>();
        int start = 0;
        int pieceBytes = 0;
        int i = 0;
        while (i < message.length()) {
            int codePoint = message.codePointAt(i);
            int width = utf8Width(codePoint);
            if (pieceBytes + width > maxBytes) {
                pieces.add(new Event(timestampMs, message.substring(start, i), pieceBytes));
                start = i;
                pieceBytes = 0;
            }
            pieceBytes += width;
            i += Character.charCount(codePoint);
        }
        pieces.add(new Event(timestampMs, message.substring(start), pieceBytes));
        return pieces;
    }

    static int utf8Length(String text) {
        // Fast path for the usual short line; exact for unpaired surrogates too (encoded as '?').
        return text.length() < 1024 ? text.getBytes(StandardCharsets.UTF_8).length : countUtf8(text);
    }

    private static int countUtf8(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            bytes += utf8Width(codePoint);
            i += Character.charCount(codePoint);
        }
        return bytes;
    }

    private static int utf8Width(int codePoint) {
        if (codePoint < 0x80) {
            return 1;
        } else if (codePoint < 0x800) {
            return 2;
        } else if (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE) {
            return 1; // an unpaired surrogate is sent as '?'
        } else if (codePoint < 0x10000) {
            return 3;
        }
        return 4;
    }
}
