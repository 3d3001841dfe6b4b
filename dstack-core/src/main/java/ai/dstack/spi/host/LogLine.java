package ai.dstack.spi.host;

import java.time.Instant;
import java.util.Objects;

/**
 * One piece of a job's output. Usually a whole line; {@code endsLine} is false for a fragment (a line longer than
 * the protocol's record size, a line still being written such as a progress bar, or a last line without a newline),
 * whose continuation comes in a later {@code LogLine} of the same stream.
 *
 * @param timestamp when the host's logger read the text (millisecond precision)
 * @param stream stdout or stderr
 * @param text the text, without the newline
 * @param endsLine whether a newline followed the text
 */
public record LogLine(Instant timestamp, LogStream stream, String text, boolean endsLine) {
    public LogLine {
        Objects.requireNonNull(timestamp, "timestamp is null");
        Objects.requireNonNull(stream, "stream is null");
        Objects.requireNonNull(text, "text is null");
    }

    /** The text as the job wrote it: with its newline when it had one. */
    public String rawText() {
        return endsLine ? text + "\n" : text;
    }
}
