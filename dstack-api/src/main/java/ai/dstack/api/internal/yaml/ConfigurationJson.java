package ai.dstack.api.internal.yaml;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The Jackson mapper that writes configurations in dstack's wire form: snake_case, nulls included. */
public final class ConfigurationJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    private ConfigurationJson() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
