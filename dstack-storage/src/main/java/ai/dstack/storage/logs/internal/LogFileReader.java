package ai.dstack.storage.logs.internal;

import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Pages through one log file with dstack's rules: malformed lines are skipped, {@code start_time} is exclusive,
 * reading forwards stops at the first event at or after {@code end_time}, reading backwards skips events after it.
 */
final class LogFileReader {
    private final FileChannel file;
    private final Path path;
    private final long size; // a snapshot: lines appended later are left for the next poll
    private final LineOffsetCache offsets;

    /** Reads {@code file} (found at {@code path}) up to {@code size} bytes. */
    LogFileReader(FileChannel file, Path path, long size, LineOffsetCache offsets) {
        this.file = file;
        this.path = path;
        this.size = size;
        this.offsets = offsets;
    }

    LogPage ascending(LogQuery query) throws IOException {
        long firstLine = NextTokens.line(query.nextToken());
        ForwardLineReader lines = startingAtLine(firstLine);
        if (lines == null) {
            return LogPage.empty();
        }
        List<LogEvent> events = new ArrayList<>(Math.min(query.limit(), 1024));
        long lineNumber = firstLine;
        String nextToken = null;
        if (query.limit() == 0) {
            return new LogPage(events, lines.hasNext() ? Long.toString(lineNumber) : null, null);
        }
        Line line;
        while ((line = lines.next()) != null) {
            lineNumber++;
            LogEvent event = LogLineCodec.decode(line.bytes(), line.offset(), line.length());
            if (event == null || !after(event, query.startTime())) {
                continue;
            }
            if (query.endTime() != null && !event.timestamp().isBefore(query.endTime())) {
                break;
            }
            events.add(event);
            if (events.size() >= query.limit()) {
                if (lines.hasNext()) {
                    nextToken = Long.toString(lineNumber);
                    offsets.put(path, lineNumber, lines.offset());
                }
                break;
            }
        }
        return new LogPage(events, nextToken, null);
    }

    LogPage descending(LogQuery query) throws IOException {
        long token = NextTokens.offset(query.nextToken());
        if (token == 0) {
            return LogPage.empty();
        }
        BackwardLineReader lines = new BackwardLineReader(file, token < 0 ? size : endOfLineAt(token));
        List<LogEvent> events = new ArrayList<>(Math.min(query.limit(), 1024));
        long oldestReturned = -1;
        String nextToken = null;
        Line line;
        while ((line = lines.previous()) != null) {
            if (token >= 0 && line.start() >= token) {
                continue; // dstack returns the lines that start before the token
            }
            LogEvent event = LogLineCodec.decode(line.bytes(), line.offset(), line.length());
            if (event == null || (query.endTime() != null && event.timestamp().isAfter(query.endTime()))) {
                continue;
            }
            if (!after(event, query.startTime())) {
                break;
            }
            if (events.size() == query.limit()) {
                // More remain: resume before the oldest line returned (or, when nothing was, after this one).
                nextToken = Long.toString(oldestReturned >= 0 ? oldestReturned : line.next());
                break;
            }
            events.add(event);
            oldestReturned = line.start();
        }
        return new LogPage(events, nextToken, null);
    }

    /** Delivers every stored event accepted by {@code filter} in batches of at most {@code batchSize}. */
    void replay(Predicate<LogEvent> filter, int batchSize, Consumer<List<LogEvent>> sink)
            throws IOException {
        ForwardLineReader lines = new ForwardLineReader(file, 0, size);
        List<LogEvent> batch = new ArrayList<>();
        Line line;
        while ((line = lines.next()) != null) {
            LogEvent event = LogLineCodec.decode(line.bytes(), line.offset(), line.length());
            if (event != null && filter.test(event)) {
                batch.add(event);
                if (batch.size() == batchSize) {
                    sink.accept(List.copyOf(batch));
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            sink.accept(List.copyOf(batch));
        }
    }

    /** A reader positioned at {@code line}, or {@code null} if the file has fewer lines. */
    private ForwardLineReader startingAtLine(long line) throws IOException {
        long cached = line == 0 ? 0 : offsets.get(path, line);
        if (cached >= 0 && isLineStart(cached)) {
            return new ForwardLineReader(file, cached, size);
        }
        ForwardLineReader lines = new ForwardLineReader(file, 0, size);
        return lines.skip(line) ? lines : null;
    }

    /**
     * Where backward reading starts for a descending token: the token itself when it is a line start, else the end
     * of the line it falls in (dstack then includes that line).
     */
    private long endOfLineAt(long token) throws IOException {
        if (token >= size || isLineStart(token)) {
            return Math.min(token, size);
        }
        ForwardLineReader rest = new ForwardLineReader(file, token, size);
        Line straddling = rest.next();
        return straddling == null ? size : straddling.next();
    }

    private boolean isLineStart(long offset) throws IOException {
        if (offset == 0) {
            return true;
        }
        if (offset > size) {
            return false;
        }
        ByteBuffer previous = ByteBuffer.allocate(1);
        return file.read(previous, offset - 1) == 1 && previous.get(0) == '\n';
    }

    private static boolean after(LogEvent event, Instant startTime) {
        return startTime == null || event.timestamp().isAfter(startTime);
    }
}
