package ai.dstack.spi.logs;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link LogStoreProvider} gets to build its store.
 *
 * @param serverDirectory the server's data directory ({@code ~/.dstack/server}); the file store writes under
 *     {@code projects/<project>/logs} there
 * @param settings provider-specific settings, e.g. a CloudWatch log group and region; empty for files
 * @param clock the time source, for stores that must reason about "now"
 */
public record LogStoreContext(Path serverDirectory, Map<String, String> settings, Clock clock) {
    public LogStoreContext {
        Objects.requireNonNull(serverDirectory, "serverDirectory is null");
        settings = Map.copyOf(Objects.requireNonNull(settings, "settings is null"));
        Objects.requireNonNull(clock, "clock is null");
    }

    /** A context with no settings and the system clock. */
    public static LogStoreContext of(Path serverDirectory) {
        return new LogStoreContext(serverDirectory, Map.of(), Clock.systemUTC());
    }
}
