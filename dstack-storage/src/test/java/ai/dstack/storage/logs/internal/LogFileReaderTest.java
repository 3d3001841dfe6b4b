package ai.dstack.storage.logs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How much of a big log file a poll reads: a page must cost about a page, not the whole file. */
class LogFileReaderTest {
    private static final int LINES = 100_000;
    private static final Instant T0 = Instant.parse("2023-11-14T22:13:20Z");

    @TempDir static Path serverDir;
    static Path logFile;
    static long fileSize;

    @BeforeAll
    static void writeABigLog() throws IOException {
        JobLogRef job = new JobLogRef("main", "big", UUID.randomUUID());
        try (FileLogStore store = new FileLogStore(serverDir)) {
            List<LogEvent> events = IntStream.range(0, LINES)
                    .mapToObj(i -> LogEvent.stdout(T0.plusMillis(i), "step " + i + " loss=0.123456 lr=3e-4\n"))
                    .toList();
            store.write(job, events, List.of());
        }
        logFile = new LogPaths(serverDir).file(job, false);
        fileSize = Files.size(logFile);
    }

    private static PageCost poll(LogQuery query, LineOffsetCache offsets) throws IOException {
        try (CountingFileChannel file = new CountingFileChannel(FileChannel.open(logFile, StandardOpenOption.READ))) {
            LogFileReader reader = new LogFileReader(file, logFile, file.size(), offsets);
            LogPage page = query.descending() ? reader.descending(query) : reader.ascending(query);
            return new PageCost(page, file.bytesRead());
        }
    }

    private record PageCost(LogPage page, long bytesRead) {}

    @Test
    void descendingPagesReadOnlyTheBytesNearTheirLines() throws IOException {
        LogQuery newest = LogQuery.defaults().withDescending(true).withLimit(100);

        PageCost first = poll(newest, new LineOffsetCache());
        PageCost middle = poll(newest.withNextToken(Long.toString(fileSize / 2)), new LineOffsetCache());

        assertThat(fileSize).isGreaterThan(5_000_000);
        assertThat(first.page().events()).hasSize(100);
        assertThat(first.page().events().get(0).message()).startsWith("step 99999 ");
        assertThat(first.bytesRead()).isLessThanOrEqualTo(128 * 1024);
        assertThat(middle.page().events()).hasSize(100);
        assertThat(middle.bytesRead()).isLessThanOrEqualTo(3 * 64 * 1024);
    }

    @Test
    void pagingForwardThroughTheWholeFileReadsItAboutOnce() throws IOException {
        LineOffsetCache offsets = new LineOffsetCache();
        LogQuery query = LogQuery.defaults().withLimit(1000);
        long totalRead = 0;
        int events = 0;
        String token = null;
        do {
            PageCost cost = poll(query.withNextToken(token), offsets);
            totalRead += cost.bytesRead();
            events += cost.page().events().size();
            token = cost.page().nextToken();
        } while (token != null);

        assertThat(events).isEqualTo(LINES);
        // Each page reads at most one 64 KiB buffer past its lines; re-reading from the start would be ~50x.
        assertThat(totalRead).isLessThan(fileSize + 100L * 64 * 1024 + 1);
    }
}
