package ai.dstack.server.deploy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which log storage the server uses, from dstack's variables: CloudWatch Logs when
 * {@code DSTACK_SERVER_CLOUDWATCH_LOG_GROUP} is set (with {@code DSTACK_SERVER_CLOUDWATCH_LOG_REGION}, else AWS's
 * default region), otherwise files under the server directory.
 *
 * @param type the {@code LogStoreProvider} type: {@code "file"} or {@code "cloudwatch"}
 * @param settings the provider's settings
 */
public record LogStorageSettings(String type, Map<String, String> settings) {
    public static final String CLOUDWATCH_LOG_GROUP = "DSTACK_SERVER_CLOUDWATCH_LOG_GROUP";
    public static final String CLOUDWATCH_LOG_REGION = "DSTACK_SERVER_CLOUDWATCH_LOG_REGION";
    public static final String FILE = "file";
    public static final String CLOUDWATCH = "cloudwatch";

    public LogStorageSettings {
        Objects.requireNonNull(type, "type is null");
        settings = Map.copyOf(Objects.requireNonNull(settings, "settings is null"));
    }

    /**
     * @param env the environment ({@code System::getenv} or a test's map)
     * @throws IllegalArgumentException if a region is given without a log group
     */
    public static LogStorageSettings fromEnvironment(Function<String, String> env) {
        return of(nonBlank(env.apply(CLOUDWATCH_LOG_GROUP)), nonBlank(env.apply(CLOUDWATCH_LOG_REGION)));
    }

    /**
     * CloudWatch with this group (and region, else AWS's default), or files without a group.
     *
     * @throws IllegalArgumentException if a region is given without a log group
     */
    public static LogStorageSettings of(String group, String region) {
        if (group == null) {
            if (region != null) {
                throw new IllegalArgumentException(CLOUDWATCH_LOG_REGION + " is set but " + CLOUDWATCH_LOG_GROUP
                        + " is not: set the log group to store logs in CloudWatch, or unset the region");
            }
            return new LogStorageSettings(FILE, Map.of());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("log_group", group);
        if (region != null) {
            settings.put("region", region);
        }
        return new LogStorageSettings(CLOUDWATCH, settings);
    }

    /** Whether several server replicas can share this storage (files are per machine). */
    public boolean isExternal() {
        return !FILE.equals(type);
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
