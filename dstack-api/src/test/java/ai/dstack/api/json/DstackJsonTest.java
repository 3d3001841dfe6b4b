package ai.dstack.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.logs.LogEvent;
import ai.dstack.api.logs.LogEventSource;
import ai.dstack.api.run.FileArchiveMapping;
import ai.dstack.api.run.JobRuntimeData;
import ai.dstack.api.run.NetworkMode;
import ai.dstack.api.server.ServerInfo;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DstackJsonTest {
    private final ObjectMapper mapper = DstackJson.mapper();

    private record Stamp(Instant at) {}

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "2024-01-02T03:04:05Z, 2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.123456Z, 2024-01-02T03:04:05.123456Z",
        "2024-01-02T03:04:05.120Z, 2024-01-02T03:04:05.120000Z",
        "2024-01-02T03:04:05.000000001Z, 2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.123456789Z, 2024-01-02T03:04:05.123456Z",
    })
    void instantsAreWrittenInUtcWithMicrosecondsOnlyWhenNotZero(String instant, String written) throws Exception {
        String json = mapper.writeValueAsString(new Stamp(Instant.parse(instant)));

        assertThat(json).isEqualTo("{\"at\":\"" + written + "\"}");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0000-01-01T00:00:00Z, 0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z, 9999-12-31T23:59:59.999999Z",
        "+10000-01-01T00:00:00Z, +10000-01-01T00:00:00Z",
        "-0001-12-31T23:59:59.5Z, -0001-12-31T23:59:59.500000Z",
        "1969-12-31T23:59:59.000001Z, 1969-12-31T23:59:59.000001Z",
        "2024-02-29T12:00:00Z, 2024-02-29T12:00:00Z",
    })
    void yearsAtAndBeyondFourDigitsAreWrittenAsTheFormatterWritesThem(String instant, String written) throws Exception {
        assertThat(mapper.writeValueAsString(new Stamp(Instant.parse(instant)))).isEqualTo("{\"at\":\"" + written + "\"}");
    }

    @Test
    void instantsAreWrittenAsTheFormatterWritesThemOverCenturiesOfRandomTimes() throws Exception {
        java.util.Random random = new java.util.Random(14);
        java.time.format.DateTimeFormatter seconds = java.time.format.DateTimeFormatter
                .ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(java.time.ZoneOffset.UTC);
        for (int i = 0; i < 20_000; i++) {
            long second = -62_167_219_200L + (long) (random.nextDouble() * 315_537_897_600L); // years 0000 to 9999
            int nanos = i % 3 == 0 ? 0 : i % 3 == 1 ? random.nextInt(1000) * 1000 : random.nextInt(1_000_000_000);
            Instant instant = Instant.ofEpochSecond(second, nanos);
            int micros = nanos / 1000;
            String expected = seconds.format(instant) + (micros == 0 ? "" : String.format(".%06d", micros)) + "Z";

            assertThat(mapper.writeValueAsString(new Stamp(instant))).isEqualTo("{\"at\":\"" + expected + "\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"2024-01-02T03:04:05Z\"            | 2024-01-02T03:04:05Z",
        "\"2024-01-02T03:04:05+00:00\"       | 2024-01-02T03:04:05Z",
        "\"2024-01-02T05:04:05+02:00\"       | 2024-01-02T03:04:05Z",
        "\"2024-01-02T03:04:05\"             | 2024-01-02T03:04:05Z",
        "\"2024-01-02 03:04:05.5\"           | 2024-01-02T03:04:05.500Z",
        "\"2024-01-02T03:04:05.123456+00:00\" | 2024-01-02T03:04:05.123456Z",
        "\"2024-01-02T03:04:05.123456789\"   | 2024-01-02T03:04:05.123456789Z",
        "1704164645                          | 2024-01-02T03:04:05Z",
        "1704164645.25                       | 2024-01-02T03:04:05.250Z",
    })
    void instantsAreReadLeniently(String json, String expected) throws Exception {
        Stamp stamp = mapper.readValue("{\"at\":" + json + "}", Stamp.class);

        assertThat(stamp.at()).isEqualTo(Instant.parse(expected));
    }

    @Test
    void aMalformedDatetimeIsReportedWithTheFieldAndTheExpectedForm() {
        assertThatThrownBy(() -> mapper.readValue("{\"at\":\"yesterday\"}", Stamp.class))
                .isInstanceOf(JsonMappingException.class)
                .hasMessageContaining("yesterday")
                .hasMessageContaining("ISO-8601")
                .hasMessageContaining("\"at\"");
    }

    @Test
    void nullFieldsAreWritten() throws Exception {
        assertThat(mapper.writeValueAsString(new ServerInfo(null))).isEqualTo("{\"server_version\":null}");
    }

    @Test
    void unknownFieldsAreIgnoredAtEveryLevel() throws Exception {
        LogEvent event = mapper.readValue(
                "{\"timestamp\":\"2024-01-02T03:04:05Z\",\"log_source\":\"stdout\",\"message\":\"aGk=\","
                        + "\"added_later\":{\"nested\":[1,2]}}",
                LogEvent.class);

        assertThat(event).isEqualTo(new LogEvent(Instant.parse("2024-01-02T03:04:05Z"), LogEventSource.STDOUT, "aGk="));
    }

    @Test
    void uuidsAreStrings() throws Exception {
        UUID id = UUID.fromString("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");

        assertThat(mapper.writeValueAsString(new FileArchiveMapping(id, "/data")))
                .isEqualTo("{\"id\":\"9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\",\"path\":\"/data\"}");
    }

    @Test
    void portMapsKeepTheirOrderAndUseStringKeys() throws Exception {
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        ports.put(8080, 32768);
        ports.put(22, 32769);
        JobRuntimeData data = new JobRuntimeData(NetworkMode.BRIDGE, null, null, null, ports, null, null, null, null);

        String json = mapper.writeValueAsString(data);

        assertThat(json).contains("\"ports\":{\"8080\":32768,\"22\":32769}");
        assertThat(mapper.readValue(json, JobRuntimeData.class).ports()).containsExactly(
                Map.entry(8080, 32768), Map.entry(22, 32769));
    }

    @Test
    void customizingANewMapperLeavesTheSharedOneAlone() throws Exception {
        ObjectMapper custom = DstackJson.newMapper().enable(SerializationFeature.INDENT_OUTPUT);

        assertThat(custom.writeValueAsString(new ServerInfo("0.21.2"))).contains("\n");
        assertThat(mapper.writeValueAsString(new ServerInfo("0.21.2"))).isEqualTo("{\"server_version\":\"0.21.2\"}");
    }
}
