package ai.dstack.storage.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.spi.logs.JobLogRef;
import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogPage;
import ai.dstack.spi.logs.LogQuery;
import ai.dstack.spi.logs.LogSource;
import ai.dstack.spi.logs.LogStore;
import ai.dstack.spi.logs.LogStoreContext;
import ai.dstack.testing.LogStoreContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** dstack's file storage: its layout, its on-disk format and its tokens, on real files. */
class FileLogStoreTest extends LogStoreContract {

    @Override
    protected LogStore openStore(Path serverDir) {
        return new FileLogStoreProvider().create(LogStoreContext.of(serverDir));
    }

    private Path logFile(String name) {
        return serverDir.resolve("projects/main/logs/train-1").resolve(job.jobSubmissionId().toString()).resolve(name);
    }

    private void append(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The start offset of each line of a file. */
    private static List<Long> lineStarts(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<Long> starts = new ArrayList<>(List.of(0L));
        for (int i = 0; i < bytes.length - 1; i++) {
            if (bytes[i] == '\n') {
                starts.add(i + 1L);
            }
        }
        return starts;
    }

    @Test
    void writesDstacksLayoutAndOnlyTheFilesThatGetLines() {
        store.write(job, events(0, 2), List.of());

        assertThat(logFile("job.log")).isRegularFile();
        assertThat(logFile("runner.log")).doesNotExist();

        store.write(job, List.of(), events(0, 1));

        assertThat(logFile("runner.log")).isRegularFile();
    }

    @Test
    void linesOnDiskAreByteForByteWhatDstackWrites() throws IOException {
        store.write(job, List.of(
                LogEvent.stdout(T0.plusMillis(123), "hello\n"),
                LogEvent.stdout(T0, "x"),
                LogEvent.stdout(T0.plusMillis(100),
                        "\033[31mred\033[0m\t\"q\" \\ / \u00e9 \ud83d\ude00 \177 \u2028 \0\r\b\f"),
                new LogEvent(T0.plusNanos(1_999), LogSource.STDERR, "")), List.of());

        // Produced by dstack's own model: LogEvent(...).model_dump_json() + "\n" with pydantic 2.13.4, timestamps
        // from unix_time_ms_to_datetime (the last one built with microsecond=1).
        String dstack = "{\"timestamp\":\"2023-11-14T22:13:20.123000Z\",\"log_source\":\"stdout\",\"message\":\"hello\\n\"}\n"
                + "{\"timestamp\":\"2023-11-14T22:13:20Z\",\"log_source\":\"stdout\",\"message\":\"x\"}\n"
                + "{\"timestamp\":\"2023-11-14T22:13:20.100000Z\",\"log_source\":\"stdout\",\"message\":"
                + "\"\\u001b[31mred\\u001b[0m\\t\\\"q\\\" \\\\ / \u00e9 \ud83d\ude00 \u007f \u2028"
                + " \\u0000\\r\\b\\f\"}\n"
                + "{\"timestamp\":\"2023-11-14T22:13:20.000001Z\",\"log_source\":\"stderr\",\"message\":\"\"}\n";
        assertThat(Files.readAllBytes(logFile("job.log"))).isEqualTo(dstack.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void writtenEventsReadBackUnchangedAtMicrosecondPrecision() {
        List<LogEvent> written = List.of(
                LogEvent.stdout(T0.plusNanos(123_456_000), "\033[1mbold\033[0m caf\u00e9 \ud83d\ude00\n"),
                new LogEvent(T0.plusSeconds(1), LogSource.STDERR, "error: \"quoted\"\r\n"));
        store.write(job, written, List.of());

        assertThat(store.poll(job, LogQuery.defaults()).events()).containsExactlyElementsOf(written);
    }

    @Test
    void aHalfSurrogatePairIsStoredAsTheReplacementCharacterLikeDstacksDecode() {
        store.write(job, List.of(LogEvent.stdout(T0, "broken \ud83d pair\n")), List.of());

        assertThat(store.poll(job, LogQuery.defaults()).events())
                .extracting(LogEvent::message)
                .containsExactly("broken \ufffd pair\n");
    }

    @Test
    void linesLongerThanTheReadBufferComeBackWholeInBothDirections() {
        String xs = "x".repeat(200_000) + "\n";
        String ys = "y".repeat(150_000) + "\n";
        List<LogEvent> written = List.of(
                LogEvent.stdout(T0, "a\n"),
                LogEvent.stdout(T0.plusMillis(1), xs),
                LogEvent.stdout(T0.plusMillis(2), "b\n"),
                LogEvent.stdout(T0.plusMillis(3), ys));
        store.write(job, written, List.of());

        List<LogEvent> forwards = pollAll(LogQuery.defaults().withLimit(1), new ArrayList<>());
        List<LogEvent> backwards = pollAll(LogQuery.defaults().withLimit(1).withDescending(true), new ArrayList<>());

        assertThat(forwards).containsExactlyElementsOf(written);
        List<LogEvent> newestFirst = new ArrayList<>(written);
        Collections.reverse(newestFirst);
        assertThat(backwards).containsExactlyElementsOf(newestFirst);
    }

    @Test
    void readsWhatDstackVersionsWroteAndSkipsMalformedAndUnfinishedLines() throws IOException {
        append(logFile("job.log"), ""
                + "{\"timestamp\": \"2023-11-14T22:13:20.123000+00:00\", \"log_source\": \"stdout\", \"message\": \"v1\\n\"}\n"
                + "{\"timestamp\":\"2023-11-14T22:13:21\",\"log_source\":\"stdout\",\"message\":\"naive\\n\",\"extra\":1}\n"
                + "not json at all\n"
                + "{\"timestamp\":\"2023-11-14T22:13:22Z\",\"log_source\":\"stdout\"}\n"
                + "{\"timestamp\":\"2023-11-14T22:13:22Z\",\"log_source\":\"stdin\",\"message\":\"bad source\"}\n"
                + "{\"timestamp\":\"2023-11-14T22:13:23Z\",\"log_source\":\"stdout\",\"message\":\"last\\n\"}\n"
                + "{\"timestamp\":\"2023-11-14T22:13:24Z\",\"log_so");

        assertThat(store.poll(job, LogQuery.defaults()).events()).containsExactly(
                LogEvent.stdout(T0.plusMillis(123), "v1\n"),
                LogEvent.stdout(T0.plusSeconds(1), "naive\n"),
                LogEvent.stdout(T0.plusSeconds(3), "last\n"));
        assertThat(store.poll(job, LogQuery.defaults().withDescending(true)).events())
                .extracting(LogEvent::message)
                .containsExactly("last\n", "naive\n", "v1\n");
    }

    @Test
    void aLineBeingWrittenAppearsOnlyOnceItIsComplete() throws IOException {
        store.write(job, events(0, 3), List.of());
        append(logFile("job.log"), "{\"timestamp\":\"2023-11-14T22:13:30Z\",\"log_source\":\"stdout\",\"mess");

        assertThat(store.poll(job, LogQuery.defaults()).events()).containsExactlyElementsOf(events(0, 3));
        LogPage newest = store.poll(job, LogQuery.defaults().withDescending(true).withLimit(1));
        assertThat(newest.events()).containsExactlyElementsOf(events(2, 1));

        append(logFile("job.log"), "age\":\"done\\n\"}\n");

        assertThat(store.poll(job, LogQuery.defaults().withDescending(true).withLimit(1)).events())
                .containsExactly(LogEvent.stdout(T0.plusSeconds(10), "done\n"));
    }

    @Test
    void ascendingTokensAreLineNumbersCountingMalformedLines() throws IOException {
        store.write(job, events(0, 2), List.of());
        append(logFile("job.log"), "garbage\n");
        store.write(job, events(2, 2), List.of());
        LogQuery twoAtATime = LogQuery.defaults().withLimit(2);

        LogPage first = store.poll(job, twoAtATime);
        LogPage second = store.poll(job, twoAtATime.withNextToken(first.nextToken()));

        assertThat(first.nextToken()).isEqualTo("2");
        assertThat(second.events()).containsExactlyElementsOf(events(2, 2));
        assertThat(second.nextToken()).isNull();
        assertThat(store.poll(job, twoAtATime.withNextToken("3")).events()).containsExactlyElementsOf(events(2, 2));
        assertThat(store.poll(job, twoAtATime.withNextToken("")).events()).containsExactlyElementsOf(events(0, 2));
        assertThat(store.poll(job, twoAtATime.withNextToken("99"))).isEqualTo(LogPage.empty());
    }

    @Test
    void descendingTokensAreByteOffsetsOfTheOldestLineReturned() throws IOException {
        store.write(job, events(0, 5), List.of());
        List<Long> starts = lineStarts(logFile("job.log"));
        LogQuery twoAtATime = LogQuery.defaults().withDescending(true).withLimit(2);

        LogPage first = store.poll(job, twoAtATime);
        LogPage second = store.poll(job, twoAtATime.withNextToken(first.nextToken()));
        LogPage third = store.poll(job, twoAtATime.withNextToken(second.nextToken()));

        assertThat(first.nextToken()).isEqualTo(starts.get(3).toString());
        assertThat(second.nextToken()).isEqualTo(starts.get(1).toString());
        assertThat(third.events()).containsExactlyElementsOf(events(0, 1));
        assertThat(third.nextToken()).isNull();
        // Like dstack, an offset inside a line includes that line; one past the end reads from the end.
        assertThat(store.poll(job, twoAtATime.withNextToken(Long.toString(starts.get(3) + 5))).events())
                .containsExactly(events(3, 1).get(0), events(2, 1).get(0));
        assertThat(store.poll(job, twoAtATime.withNextToken("999999")).events())
                .containsExactly(events(4, 1).get(0), events(3, 1).get(0));
        assertThat(store.poll(job, twoAtATime.withNextToken("0"))).isEqualTo(LogPage.empty());
    }

    @Test
    void endTimeStopsAnAscendingReadBeforeItAndIncludesItDescending() {
        store.write(job, events(0, 10), List.of());
        LogQuery untilFive = LogQuery.defaults().withEndTime(T0.plusMillis(5)).withLimit(3);

        LogPage first = store.poll(job, untilFive);
        LogPage second = store.poll(job, untilFive.withNextToken(first.nextToken()));

        assertThat(first.events()).containsExactlyElementsOf(events(0, 3));
        assertThat(second.events()).containsExactlyElementsOf(events(3, 2));
        assertThat(second.nextToken()).isNull();
        assertThat(store.poll(job, untilFive.withDescending(true).withLimit(100).withStartTime(T0.plusMillis(2)))
                        .events())
                .extracting(LogEvent::message)
                .containsExactly("line 5\n", "line 4\n", "line 3\n");
    }

    @Test
    void limitZeroReturnsNothingButKeepsThePlace() {
        store.write(job, events(0, 3), List.of());

        LogPage ascending = store.poll(job, LogQuery.defaults().withLimit(0).withNextToken("1"));
        LogPage descending = store.poll(job, LogQuery.defaults().withLimit(0).withDescending(true));

        assertThat(ascending.events()).isEmpty();
        assertThat(store.poll(job, LogQuery.defaults().withNextToken(ascending.nextToken())).events())
                .containsExactlyElementsOf(events(1, 2));
        assertThat(descending.events()).isEmpty();
        assertThat(store.poll(job, LogQuery.defaults().withDescending(true).withNextToken(descending.nextToken()))
                        .events())
                .hasSize(3);
    }

    @Test
    void anInvalidTokenIsRejectedInDstacksWords() {
        store.write(job, events(0, 3), List.of());
        JobLogRef unknown = new JobLogRef("main", "train-1", UUID.randomUUID());
        record Case(JobLogRef job, LogQuery query, String token) {}
        List<Case> cases = List.of(
                new Case(job, LogQuery.defaults(), "abc"),
                new Case(job, LogQuery.defaults(), "-1"),
                new Case(job, LogQuery.defaults().withDescending(true), "1.5"),
                new Case(job, LogQuery.defaults().withDescending(true), ""),
                new Case(unknown, LogQuery.defaults(), "abc"),
                new Case(unknown, LogQuery.defaults().withDescending(true), "-7"));

        for (Case c : cases) {
            assertThatThrownBy(() -> store.poll(c.job(), c.query().withNextToken(c.token())))
                    .as("token '%s'", c.token())
                    .isInstanceOfSatisfying(DstackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.ERROR))
                    .hasMessage("Invalid next_token: " + c.token() + ". Must be a non-negative integer.");
        }
    }

    @Test
    void namesCannotLeaveTheLogDirectory() {
        UUID submission = UUID.randomUUID();
        List<JobLogRef> hostile = List.of(
                new JobLogRef("..", "train", submission),
                new JobLogRef("main", "..", submission),
                new JobLogRef("main", "../../../escape", submission),
                new JobLogRef("main/../..", "train", submission),
                new JobLogRef("main", "a\\b", submission),
                new JobLogRef("main", "", submission),
                new JobLogRef("main", "nul\0byte", submission));

        for (JobLogRef ref : hostile) {
            assertThatThrownBy(() -> store.write(ref, events(0, 1), List.of()))
                    .as("%s", ref)
                    .isInstanceOfSatisfying(DstackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageContaining("for log storage: it must be one path component");
            assertThatThrownBy(() -> store.poll(ref, LogQuery.defaults())).isInstanceOf(DstackException.class);
        }
        assertThatThrownBy(() -> store.poll(new JobLogRef("main", "../x", submission), LogQuery.defaults()))
                .hasMessageStartingWith("Invalid run name '../x' for log storage");
        assertThat(serverDir.resolve("projects/main/logs")).doesNotExist();
        assertThat(serverDir.resolve("escape")).doesNotExist();
    }

    @Test
    void aHundredThousandLinesPageBackwardsAndForwards() {
        List<LogEvent> written = events(0, 100_000);
        for (int from = 0; from < written.size(); from += 10_000) {
            store.write(job, written.subList(from, from + 10_000), List.of());
        }

        List<Integer> backwardPages = new ArrayList<>();
        List<LogEvent> backwards = pollAll(LogQuery.defaults().withDescending(true).withLimit(1000), backwardPages);
        List<Integer> forwardPages = new ArrayList<>();
        List<LogEvent> forwards = pollAll(LogQuery.defaults().withLimit(1000), forwardPages);

        List<LogEvent> newestFirst = new ArrayList<>(written);
        Collections.reverse(newestFirst);
        // isEqualTo: list equality; containsExactly's diagnostics cost seconds on 100k elements.
        assertThat(backwards).isEqualTo(newestFirst);
        assertThat(backwardPages).hasSize(100).containsOnly(1000);
        assertThat(forwards).isEqualTo(written);
        assertThat(forwardPages).hasSize(100).containsOnly(1000);
    }

    @Test
    void anotherStoreOnTheSameDirectoryReadsWhatThisOneWrote() {
        store.write(job, events(0, 5), events(10, 2));

        try (LogStore other = openStore(serverDir)) {
            assertThat(other.poll(job, LogQuery.defaults()).events()).containsExactlyElementsOf(events(0, 5));
            assertThat(other.poll(job, LogQuery.defaults().withDiagnose(true)).events())
                    .containsExactlyElementsOf(events(10, 2));
        }
    }
}
