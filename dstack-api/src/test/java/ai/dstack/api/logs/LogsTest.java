package ai.dstack.api.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.json.WireSamples;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class LogsTest {
    @Test
    void messagesAreBase64OfTheRawBytes() {
        JobSubmissionLogs page = WireSamples.read("job-submission-logs", JobSubmissionLogs.class);

        assertThat(page.logs()).extracting(e -> new String(e.messageBytes(), StandardCharsets.UTF_8))
                .containsExactly("hello\n", "world\n");
        assertThat(page.logs()).extracting(LogEvent::logSource)
                .containsExactly(LogEventSource.STDOUT, LogEventSource.STDERR);
    }

    @Test
    void anEventMadeFromBytesCarriesThemEncoded() {
        byte[] bytes = {0, (byte) 0xff, 'a', '\n'};

        LogEvent event = LogEvent.of(Instant.EPOCH, LogEventSource.STDOUT, bytes);

        assertThat(event.message()).isEqualTo("AP9hCg==");
        assertThat(event.messageBytes()).isEqualTo(bytes);
    }

    @Test
    void theRequestBuilderStartsFromDstacksDefaults() {
        UUID id = UUID.randomUUID();

        PollLogsRequest request = PollLogsRequest.newBuilder("train", id).build();

        assertThat(request).isEqualTo(new PollLogsRequest("train", id, null, null, false, null, 100, false));
        assertThat(request.withNextToken("17").nextToken()).isEqualTo("17");
    }

    @Test
    void aLimitOutsideWhatDstackAcceptsIsRejected() {
        assertThatThrownBy(() -> PollLogsRequest.newBuilder("train", UUID.randomUUID()).limit(1001).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be between 0 and 1000: 1001");
    }
}
