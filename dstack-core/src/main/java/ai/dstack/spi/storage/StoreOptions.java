package ai.dstack.spi.storage;

import java.time.Duration;
import java.util.Objects;

/**
 * Connection settings for a {@link StateStore}.
 *
 * @param maxConnections the connection pool size (dstack's {@code DSTACK_DB_POOL_SIZE}); on SQLite it sizes the
 *     reader pool, since all writes share one connection
 * @param connectTimeout how long to wait for a connection to the database before giving up
 */
public record StoreOptions(int maxConnections, Duration connectTimeout) {

    public static final int DEFAULT_MAX_CONNECTIONS = 20;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public StoreOptions {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections < 1: " + maxConnections);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout <= 0: " + connectTimeout);
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(DEFAULT_MAX_CONNECTIONS, DEFAULT_CONNECT_TIMEOUT);
    }

    public StoreOptions withMaxConnections(int maxConnections) {
        return new StoreOptions(maxConnections, connectTimeout);
    }

    public StoreOptions withConnectTimeout(Duration connectTimeout) {
        return new StoreOptions(maxConnections, connectTimeout);
    }
}
