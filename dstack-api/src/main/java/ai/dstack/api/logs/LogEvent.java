package ai.dstack.api.logs;

import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * One line (or chunk) of a job's output.
 *
 * @param message the raw bytes in base64, as dstack's API carries them; see {@link #messageBytes()}
 */
public record LogEvent(Instant timestamp, LogEventSource logSource, String message) {
    public LogEvent {
        Objects.requireNonNull(timestamp, "timestamp is null");
        Objects.requireNonNull(logSource, "logSource is null");
        Objects.requireNonNull(message, "message is null");
    }

    /** An event carrying {@code bytes}, base64-encoded as the API wants them. */
    public static LogEvent of(Instant timestamp, LogEventSource logSource, byte[] bytes) {
        return new LogEvent(timestamp, logSource, Base64.getEncoder().encodeToString(bytes));
    }

    /**
     * The raw bytes of the message.
     *
     * @throws IllegalArgumentException if the message is not base64
     */
    public byte[] messageBytes() {
        return Base64.getDecoder().decode(message);
    }

    /** The message as text, decoded as UTF-8 (a malformed sequence becomes U+FFFD). */
    public String text() {
        return new String(messageBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
