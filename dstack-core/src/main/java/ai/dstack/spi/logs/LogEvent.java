package ai.dstack.spi.logs;

import java.time.Instant;
import java.util.Objects;

/**
 * One log line as dstack stores it.
 *
 * @param timestamp when the runner saw the line
 * @param source the stream it came from (dstack's file storage always records {@link LogSource#STDOUT})
 * @param message the plain text of the line, usually ending in a newline; the REST layer base64-encodes it
 */
public record LogEvent(Instant timestamp, LogSource source, String message) {
    public LogEvent {
        Objects.requireNonNull(timestamp, "timestamp is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(message, "message is null");
    }

    /** A line from stdout, the only source the runner reports. */
    public static LogEvent stdout(Instant timestamp, String message) {
        return new LogEvent(timestamp, LogSource.STDOUT, message);
    }
}
