package ai.dstack.storage.logs.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Reads the newline-terminated lines of a file from an offset up to a limit, oldest first. Bytes after the last
 * newline are a line still being written and are never returned.
 */
final class ForwardLineReader {
    private static final int CHUNK = 64 * 1024;

    private final FileChannel file;
    private final long end;
    private byte[] buffer = new byte[CHUNK];
    private int position; // next unread byte in buffer
    private int limit; // end of valid bytes in buffer
    private long bufferStart; // file offset of buffer[0]

    ForwardLineReader(FileChannel file, long start, long end) {
        this.file = file;
        this.end = end;
        this.bufferStart = start;
    }

    /** The file offset of the next line. */
    long offset() {
        return bufferStart + position;
    }

    /** The next complete line, or {@code null} at the end. */
    Line next() throws IOException {
        int newline = findNewline();
        if (newline < 0) {
            return null;
        }
        Line line = new Line(buffer, position, newline - position, bufferStart + position);
        position = newline + 1;
        return line;
    }

    /** Whether another complete line follows. */
    boolean hasNext() throws IOException {
        return findNewline() >= 0;
    }

    /** Skips {@code count} lines; {@code false} if the file has fewer complete lines. */
    boolean skip(long count) throws IOException {
        for (long skipped = 0; skipped < count; skipped++) {
            int newline = findNewline();
            if (newline < 0) {
                return false;
            }
            position = newline + 1;
        }
        return true;
    }

    private int findNewline() throws IOException {
        int scanned = 0; // bytes after position already known to hold no newline
        while (true) {
            for (int i = position + scanned; i < limit; i++) {
                if (buffer[i] == '\n') {
                    return i;
                }
            }
            scanned = limit - position;
            if (fill() == 0) {
                return -1;
            }
        }
    }

    /** Moves the unread bytes to the front (growing for long lines) and reads more; the count read, 0 at the end. */
    private int fill() throws IOException {
        long remaining = end - (bufferStart + limit);
        if (remaining <= 0) {
            return 0;
        }
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            bufferStart += position;
            limit -= position;
            position = 0;
        }
        if (limit == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        int wanted = (int) Math.min(buffer.length - limit, remaining);
        ByteBuffer target = ByteBuffer.wrap(buffer, limit, wanted);
        while (target.hasRemaining()) {
            int read = file.read(target, bufferStart + target.position());
            if (read < 0) {
                throw new EOFException("Log file shrank while reading it");
            }
        }
        limit += wanted;
        return wanted;
    }
}
