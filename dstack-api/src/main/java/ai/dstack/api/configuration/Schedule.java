package ai.dstack.api.configuration;

import java.util.List;

/** When a run starts: one or more UTC cron expressions. */
public record Schedule(List<String> cron) {
    public Schedule {
        cron = List.copyOf(cron);
    }
}
