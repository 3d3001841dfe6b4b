package ai.dstack.api.json;

import ai.dstack.api.configuration.Configuration;
import ai.dstack.api.configuration.FleetConfiguration;
import ai.dstack.api.configuration.RunConfiguration;
import ai.dstack.api.configuration.VolumeConfiguration;
import ai.dstack.api.json.internal.ConfigurationDeserializer;
import ai.dstack.api.json.internal.LenientInstantDeserializer;
import ai.dstack.api.json.internal.UtcInstantSerializer;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;

/**
 * The Jackson {@link ObjectMapper} that reads and writes dstack's REST API JSON.
 *
 * <ul>
 *   <li>Java record components in camelCase map to dstack's snake_case names;</li>
 *   <li>every field is written, nulls and defaults included, as dstack's server does;</li>
 *   <li>unknown properties are ignored on read, as dstack's clients do, so a newer server can add fields;</li>
 *   <li>{@link Instant}s are written as ISO-8601 UTC with a {@code Z} suffix and microseconds only when they are
 *       not zero ({@code 2024-01-02T03:04:05Z}, {@code 2024-01-02T03:04:05.123456Z}); reading also accepts
 *       offsets, no zone (taken as UTC), any number of fractional digits and epoch seconds;</li>
 *   <li>configurations ({@link Configuration}, {@link RunConfiguration}) are read by dstack's configuration
 *       parser, not by Jackson's bean mapping.</li>
 * </ul>
 *
 * <pre>{@code
 * Run run = DstackJson.mapper().readValue(body, Run.class);
 * String json = DstackJson.mapper().writeValueAsString(run);
 * }</pre>
 *
 * <p>{@link #mapper()} is shared and safe for concurrent use; never reconfigure it. Call {@link #newMapper()}
 * for a private copy to customize.
 */
public final class DstackJson {
    private static final ObjectMapper SHARED = newMapper();

    private DstackJson() {}

    /** The shared, preconfigured mapper. Do not reconfigure it: use {@link #newMapper()} for that. */
    public static ObjectMapper mapper() {
        return SHARED;
    }

    /** A new mapper with dstack's conventions, free for the caller to customize. */
    public static ObjectMapper newMapper() {
        return JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS))
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_USING_DEFAULT_VALUE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .addModule(new JavaTimeModule())
                // Registered after JavaTimeModule so that dstack's Instant format wins.
                .addModule(dstackModule())
                .build();
    }

    private static SimpleModule dstackModule() {
        SimpleModule module = new SimpleModule("dstack");
        module.addSerializer(Instant.class, new UtcInstantSerializer());
        module.addDeserializer(Instant.class, new LenientInstantDeserializer());
        module.addDeserializer(Configuration.class, new ConfigurationDeserializer<>(Configuration.class));
        module.addDeserializer(RunConfiguration.class, new ConfigurationDeserializer<>(RunConfiguration.class));
        module.addDeserializer(FleetConfiguration.class, new ConfigurationDeserializer<>(FleetConfiguration.class));
        module.addDeserializer(VolumeConfiguration.class, new ConfigurationDeserializer<>(VolumeConfiguration.class));
        return module;
    }
}
