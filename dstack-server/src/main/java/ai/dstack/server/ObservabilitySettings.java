package ai.dstack.server;

import ai.dstack.core.MetricsSettings;
import java.time.Duration;
import java.util.function.Function;

/**
 * dstack's settings for metrics, events and Prometheus, read from the environment:
 * {@code DSTACK_ENABLE_PROMETHEUS_METRICS} (a flag: set to anything, even empty, turns {@code /metrics} on),
 * {@code DSTACK_PROMETHEUS_AUTH_TOKEN}, {@code DSTACK_SERVER_METRICS_RUNNING_TTL_SECONDS} (3600),
 * {@code DSTACK_SERVER_METRICS_FINISHED_TTL_SECONDS} (604800), {@code DSTACK_SERVER_EVENTS_TTL_SECONDS} (2592000; 0
 * stores no events), and this server's {@code DSTACK_SERVER_METRICS_COLLECT_INTERVAL_SECONDS} (10, dstack's fixed
 * interval).
 */
public record ObservabilitySettings(boolean prometheusEnabled, String prometheusToken, MetricsSettings metrics) {

    /** @throws InvalidSettingException naming the variable whose value is not a valid number of seconds */
    public static ObservabilitySettings fromEnvironment(Function<String, String> env) {
        MetricsSettings defaults = MetricsSettings.DSTACK;
        Duration interval = seconds(env, "DSTACK_SERVER_METRICS_COLLECT_INTERVAL_SECONDS", defaults.collectInterval(), 1);
        Duration running = seconds(env, "DSTACK_SERVER_METRICS_RUNNING_TTL_SECONDS", defaults.runningTtl(), 0);
        Duration finished = seconds(env, "DSTACK_SERVER_METRICS_FINISHED_TTL_SECONDS", defaults.finishedTtl(), 0);
        Duration events = seconds(env, "DSTACK_SERVER_EVENTS_TTL_SECONDS", defaults.eventsTtl(), 0);
        String token = env.apply("DSTACK_PROMETHEUS_AUTH_TOKEN");
        return new ObservabilitySettings(env.apply("DSTACK_ENABLE_PROMETHEUS_METRICS") != null,
                token == null || token.isEmpty() ? null : token, new MetricsSettings(interval, running, finished, events));
    }

    private static Duration seconds(Function<String, String> env, String name, Duration defaultValue, long min) {
        String value = env.apply(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            long seconds = Long.parseLong(value.strip());
            if (seconds < min) {
                throw new InvalidSettingException(name + "=" + value + " is invalid: must be at least " + min + " seconds");
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw new InvalidSettingException(name + "=" + value + " is invalid: expected a whole number of seconds");
        }
    }
}
