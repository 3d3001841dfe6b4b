package ai.dstack.storage.logs.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads the newline-terminated lines of a file backwards from an offset, newest first, loading only the chunks it
 * passes over, so the cost of a page does not depend on the file's size. Bytes after the last newline are a line
 * still being written and are never returned.
 */
final class BackwardLineReader {
    private static final int CHUNK = 64 * 1024;

    private final FileChannel file;
    private byte[] buffer = new byte[0];
    private long windowStart; // file offset of buffer[0]; the window holds [windowStart, cursor)
    private long cursor; // file offset just past the newline that ends the next line to return

    BackwardLineReader(FileChannel file, long end) throws IOException {
        this.file = file;
        this.windowStart = end;
        this.cursor = end;
        this.cursor = lastNewlineBefore(end) + 1;
    }

    /** The previous complete line, or {@code null} once the start of the file is reached. */
    Line previous() throws IOException {
        if (cursor == 0) {
            return null;
        }
        long lineEnd = cursor - 1; // the newline
        long start = lastNewlineBefore(lineEnd) + 1;
        Line line = new Line(buffer, (int) (start - windowStart), (int) (lineEnd - start), start);
        cursor = start;
        return line;
    }

    /** The file offset of the last newline before {@code offset}, or -1 if there is none. */
    private long lastNewlineBefore(long offset) throws IOException {
        long i = offset - 1;
        while (true) {
            for (; i >= windowStart; i--) {
                if (buffer[(int) (i - windowStart)] == '\n') {
                    return i;
                }
            }
            if (windowStart == 0) {
                return -1;
            }
            extendBackward();
        }
    }

    /** Loads the chunk before the window, keeping the bytes still needed ({@code [windowStart, cursor)}). */
    private void extendBackward() throws IOException {
        long newStart = Math.max(0, windowStart - CHUNK);
        int added = (int) (windowStart - newStart);
        int kept = (int) (cursor - windowStart);
        byte[] target = buffer.length >= added + kept ? buffer : new byte[added + kept];
        System.arraycopy(buffer, 0, target, added, kept);
        ByteBuffer chunk = ByteBuffer.wrap(target, 0, added);
        while (chunk.hasRemaining()) {
            if (file.read(chunk, newStart + chunk.position()) < 0) {
                throw new EOFException("Log file shrank while reading it");
            }
        }
        buffer = target;
        windowStart = newStart;
    }
}
