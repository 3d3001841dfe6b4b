package ai.dstack.build.internal;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns a job's output chunks into whole lines for a build's logger, which prints one message per line. A line
 * split across chunks is held until its end arrives; {@link #flush()} hands over what is left.
 */
public final class LineSink {
    private final Consumer<String> lines;
    private final StringBuilder pending = new StringBuilder();

    public LineSink(Consumer<String> lines) {
        this.lines = lines;
    }

    public void accept(byte[] chunk) {
        pending.append(new String(chunk, StandardCharsets.UTF_8));
        int end;
        while ((end = pending.indexOf("\n")) >= 0) {
            String line = pending.substring(0, end);
            lines.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            pending.delete(0, end + 1);
        }
    }

    public void flush() {
        if (pending.length() > 0) {
            lines.accept(pending.toString());
            pending.setLength(0);
        }
    }
}
