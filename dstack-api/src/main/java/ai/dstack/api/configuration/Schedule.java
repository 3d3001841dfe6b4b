package ai.dstack.api.configuration;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** When a run starts: one or more UTC cron expressions. */
public record Schedule(List<String> cron) {
    public Schedule {
        cron = List.copyOf(cron);
    }

    /**
     * Reads the wire form {@code {"cron": "0 * * * *" | ["0 * * * *", ...]}}.
     *
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Schedule fromWire(JsonNode value) {
        JsonNode cron = value.path("cron");
        if (cron.isTextual()) {
            return new Schedule(List.of(cron.textValue()));
        }
        if (cron.isArray()) {
            List<String> crons = new ArrayList<>();
            cron.forEach(c -> crons.add(c.asText()));
            return new Schedule(crons);
        }
        throw new IllegalArgumentException("Invalid schedule " + value + ": `cron` must be a string or a list of strings");
    }
}
