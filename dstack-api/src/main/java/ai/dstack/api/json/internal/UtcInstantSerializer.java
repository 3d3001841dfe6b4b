package ai.dstack.api.json.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes an {@link Instant} the way dstack's server (pydantic-core) does: UTC with a {@code Z} suffix and six
 * fractional digits only when the microseconds are not zero. Nanoseconds below a microsecond are dropped.
 */
public final class UtcInstantSerializer extends StdSerializer<Instant> {
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    public UtcInstantSerializer() {
        super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
        gen.writeString(format(value));
    }

    public static String format(Instant value) {
        int micros = value.getNano() / 1_000;
        String seconds = SECONDS.format(value);
        return micros == 0 ? seconds + "Z" : String.format("%s.%06dZ", seconds, micros);
    }
}
