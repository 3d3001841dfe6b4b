package ai.dstack.spi.host;

import java.util.List;
import java.util.Objects;

/**
 * Log lines read from a job, in the order the host recorded them, and the offset to read from next time.
 *
 * @param lines the complete records found after the requested offset (possibly none)
 * @param nextOffset where the next read continues; equal to the requested offset when nothing new was found
 */
public record LogChunk(List<LogLine> lines, long nextOffset) {
    public LogChunk {
        lines = List.copyOf(Objects.requireNonNull(lines, "lines is null"));
        if (nextOffset < 0) {
            throw new IllegalArgumentException("nextOffset < 0: " + nextOffset);
        }
    }
}
