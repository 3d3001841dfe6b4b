package ai.dstack.storage.logs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.spi.logs.LogEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloudWatchBatchesTest {

    @Test
    void aMessageTooLargeForOneEventIsCutBetweenCharactersIntoPiecesThatFit() {
        String message = "a" + "😀".repeat(100_000); // 1 + 400,000 bytes; a 4-byte character may not be split
        List<CloudWatchBatches.Event> pieces = CloudWatchBatches.pieces(7, message);

        assertThat(pieces).hasSize(2);
        assertThat(pieces).allSatisfy(piece -> {
            assertThat(piece.timestampMs()).isEqualTo(7);
            assertThat(piece.bytes()).isEqualTo(piece.message().getBytes(StandardCharsets.UTF_8).length);
            assertThat(piece.size()).isLessThanOrEqualTo(CloudWatchBatches.MAX_EVENT_BYTES);
        });
        assertThat(pieces.get(0).message() + pieces.get(1).message()).isEqualTo(message);
    }

    @Test
    void batchesStopAtTheByteLimitCountingTheOverheadOfEachEvent() {
        // 1,022 events of 1,000 + 26 bytes make 1,048,572 bytes: the 1,023rd would pass 1,048,576 and starts a new batch.
        String line = "x".repeat(1_000);
        List<LogEvent> events = java.util.stream.IntStream.range(0, 1_500)
                .mapToObj(i -> LogEvent.stdout(Instant.ofEpochMilli(1_000 + i), line))
                .toList();

        CloudWatchBatches.Plan plan = CloudWatchBatches.plan(events, 10_000);

        assertThat(plan.batches()).extracting(List::size).containsExactly(1_022, 478);
        assertThat(plan.sent()).hasSize(1_500);
    }
}
