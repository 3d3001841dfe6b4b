package ai.dstack.storage.logs.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogFollow;
import ai.dstack.spi.logs.LogListener;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogSubscription;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * dstack's {@code FileLogStorage}. Each batch is appended with one write under a per-file lock, so a reader sees
 * whole lines or the start of a line it ignores, and followers see batches in file order.
 */
public final class FileLogStore implements LogStore {
    private static final int FOLLOW_REPLAY_BATCH = LogQuery.MAX_LIMIT;

    private final LogPaths paths;
    private final ReentrantLock[] fileLocks = new ReentrantLock[64];
    private final LineOffsetCache lineOffsets = new LineOffsetCache();
    private final Followers<Path> followers = new Followers<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    public FileLogStore(Path serverDirectory) {
        this.paths = new LogPaths(Objects.requireNonNull(serverDirectory, "serverDirectory is null"));
        for (int i = 0; i < fileLocks.length; i++) {
            fileLocks[i] = new ReentrantLock();
        }
    }

    @Override
    public void write(JobLogRef job, List<LogEvent> jobLines, List<LogEvent> runnerLines) {
        checkOpen();
        Objects.requireNonNull(jobLines, "jobLines is null");
        Objects.requireNonNull(runnerLines, "runnerLines is null");
        append(paths.file(job, true), runnerLines);
        append(paths.file(job, false), jobLines);
    }

    @Override
    public LogPage poll(JobLogRef job, LogQuery query) {
        checkOpen();
        Path path = paths.file(job, query.diagnose());
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            LogFileReader reader = new LogFileReader(file, path, file.size(), lineOffsets);
            return query.descending() ? reader.descending(query) : reader.ascending(query);
        } catch (NoSuchFileException e) {
            // An unknown run or submission, or one that has not logged yet.
            rejectMalformedToken(query); // dstack checks the token first
            return LogPage.empty();
        } catch (IOException e) {
            throw new DstackException(ErrorCode.ERROR, "Failed to poll logs from log storage", e);
        }
    }

    @Override
    public LogSubscription follow(JobLogRef job, LogFollow follow, LogListener listener) {
        checkOpen();
        Objects.requireNonNull(follow, "follow is null");
        Objects.requireNonNull(listener, "listener is null");
        Path path = paths.file(job, follow.diagnose());
        FileLogSubscription subscription =
                new FileLogSubscription(follow, listener, closing -> followers.remove(path, closing));
        long stored;
        ReentrantLock lock = lockFor(path);
        lock.lock();
        try {
            // Registered under the writers' lock: every later batch is queued, every earlier one is within `stored`.
            stored = storedBytes(path);
            followers.add(path, subscription);
        } finally {
            lock.unlock();
        }
        try {
            if (follow.replayStored() && stored > 0) {
                replay(path, stored, follow, subscription);
            }
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
        } finally {
            subscription.endReplay();
        }
        if (closed.get()) {
            subscription.close(); // the store closed while we registered
        }
        return subscription;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            followers.closeAll();
        }
    }

    private void replay(Path path, long stored, LogFollow follow, FileLogSubscription subscription) {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            new LogFileReader(file, path, stored, lineOffsets)
                    .replay(follow::accepts, FOLLOW_REPLAY_BATCH, subscription::replayed);
        } catch (IOException e) {
            throw new DstackException(ErrorCode.ERROR, "Failed to poll logs from log storage", e);
        }
    }

    private void append(Path path, List<LogEvent> events) {
        if (events.isEmpty()) {
            return; // like dstack, no file for a producer that said nothing
        }
        ByteBuffer lines = ByteBuffer.wrap(LogLineCodec.encode(events));
        List<LogEvent> published = List.copyOf(events);
        ReentrantLock lock = lockFor(path);
        lock.lock();
        try {
            Files.createDirectories(path.getParent());
            try (FileChannel file = FileChannel.open(
                    path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                while (lines.hasRemaining()) {
                    file.write(lines);
                }
            }
            followers.publish(path, published);
        } catch (IOException e) {
            throw new DstackException(ErrorCode.INTERNAL, "Failed to write logs to " + path + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    private static long storedBytes(Path path) {
        try {
            return Files.size(path);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new DstackException(ErrorCode.ERROR, "Failed to poll logs from log storage", e);
        }
    }

    private static void rejectMalformedToken(LogQuery query) {
        if (query.descending()) {
            NextTokens.offset(query.nextToken());
        } else {
            NextTokens.line(query.nextToken());
        }
    }

    private ReentrantLock lockFor(Path path) {
        return fileLocks[Math.floorMod(path.hashCode(), fileLocks.length)];
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("The file log store is closed");
        }
    }
}
