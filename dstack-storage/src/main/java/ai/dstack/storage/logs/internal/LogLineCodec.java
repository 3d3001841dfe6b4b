package ai.dstack.storage.logs.internal;

import ai.dstack.spi.logs.LogEvent;
import ai.dstack.spi.logs.LogSource;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.List;

/**
 * One {@link LogEvent} per line, byte for byte what dstack's pydantic {@code model_dump_json()} writes:
 * {@code {"timestamp":"2023-11-14T22:13:20.123000Z","log_source":"stdout","message":"hello\n"}}. pydantic prints
 * UTC as {@code Z}, six fraction digits (none when the microseconds are zero), raw UTF-8 (emoji included), and
 * lower-case hex in the escapes of control characters.
 */
final class LogLineCodec {
    private static final JsonFactory JSON =
            JsonFactory.builder()
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8) // emoji as raw UTF-8, like pydantic
                    .build();
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

    private LogLineCodec() {}

    /** The lines for {@code events}, each ending in {@code \n}. */
    static byte[] encode(List<LogEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.size() * 128);
        try (JsonGenerator json = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            // Without a separator Jackson writes root values back to back; the newline is written raw instead.
            json.setRootValueSeparator(null);
            for (LogEvent event : events) {
                json.writeStartObject();
                json.writeStringField("timestamp", formatTimestamp(event.timestamp()));
                json.writeStringField("log_source", event.source().wireValue());
                json.writeStringField("message", withoutLoneSurrogates(event.message()));
                json.writeEndObject();
                json.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode log events", e); // a byte array cannot fail to grow
        }
        return out.toByteArray();
    }

    /** The event on one line (without its newline), or {@code null} for a line dstack would skip as malformed. */
    static LogEvent decode(byte[] line, int offset, int length) {
        String timestamp = null;
        String source = null;
        String message = null;
        try (JsonParser json = JSON.createParser(line, offset, length)) {
            if (json.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                JsonToken value = json.nextToken();
                switch (field) {
                    case "timestamp" -> timestamp = value == JsonToken.VALUE_STRING ? json.getText() : null;
                    case "log_source" -> source = value == JsonToken.VALUE_STRING ? json.getText() : null;
                    case "message" -> message = value == JsonToken.VALUE_STRING ? json.getText() : null;
                    default -> json.skipChildren(); // dstack reads with extra="ignore"
                }
            }
            if (timestamp == null || source == null || message == null) {
                return null;
            }
            return new LogEvent(parseTimestamp(timestamp), LogSource.fromWireValue(source), message);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String formatTimestamp(Instant timestamp) {
        StringBuilder out = new StringBuilder(27);
        out.append(SECONDS.format(LocalDateTime.ofEpochSecond(timestamp.getEpochSecond(), 0, ZoneOffset.UTC)));
        int micros = timestamp.getNano() / 1000; // Python datetimes stop at microseconds
        if (micros != 0) {
            String digits = Integer.toString(micros);
            out.append('.').append("000000", digits.length(), 6).append(digits);
        }
        return out.append('Z').toString();
    }

    /** Accepts what dstack versions have written: {@code Z} or {@code +00:00} offsets, and naive UTC times. */
    static Instant parseTimestamp(String text) {
        Instant canonical = parseCanonical(text);
        if (canonical != null) {
            return canonical;
        }
        TemporalAccessor parsed =
                DateTimeFormatter.ISO_DATE_TIME.parseBest(text, OffsetDateTime::from, LocalDateTime::from);
        if (parsed instanceof OffsetDateTime withOffset) {
            return withOffset.toInstant();
        }
        return ((LocalDateTime) parsed).toInstant(ZoneOffset.UTC);
    }

    /** The format this class writes, parsed without a formatter (the common case); {@code null} otherwise. */
    private static Instant parseCanonical(String text) {
        int length = text.length();
        boolean shape = (length == 20 || length == 27)
                && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(length - 1) == 'Z'
                && (length == 20 || text.charAt(19) == '.');
        if (!shape) {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int micros = length == 27 ? digits(text, 20, 6) : 0;
        if ((year | month | day | hour | minute | second | micros) < 0) {
            return null;
        }
        // LocalDateTime.of validates the ranges (month 13, second 60, ...) and throws, like the slow path.
        return LocalDateTime.of(year, month, day, hour, minute, second, micros * 1000).toInstant(ZoneOffset.UTC);
    }

    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    // Python strings cannot hold a half surrogate pair after dstack's decode(errors="replace"); match that.
    private static String withoutLoneSurrogates(String message) {
        StringBuilder fixed = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            boolean paired = Character.isHighSurrogate(c)
                    && i + 1 < message.length()
                    && Character.isLowSurrogate(message.charAt(i + 1));
            if (paired) {
                if (fixed != null) {
                    fixed.append(c).append(message.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (fixed == null) {
                    fixed = new StringBuilder(message.length()).append(message, 0, i);
                }
                fixed.append('\uFFFD');
            } else if (fixed != null) {
                fixed.append(c);
            }
        }
        return fixed == null ? message : fixed.toString();
    }
}
