package ai.dstack.core.internal.services;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per service as the proxy counts them, in one-second buckets over the last ten minutes, read by the
 * autoscaler as "requests in the last N seconds". In memory: after a restart the rate starts from nothing, as
 * dstack's gateway stats do.
 */
public final class RequestRates {
    private static final int BUCKETS = 600;

    private final Clock clock;
    private final Map<UUID, Counter> counters = new ConcurrentHashMap<>();

    public RequestRates(Clock clock) {
        this.clock = clock;
    }

    public void record(UUID serviceId) {
        counters.computeIfAbsent(serviceId, id -> new Counter()).add(clock.instant().getEpochSecond());
    }

    /** Requests in the {@code seconds} before now, or null when the service never had one. */
    public Long requests(UUID serviceId, long seconds) {
        Counter counter = counters.get(serviceId);
        return counter == null ? null : counter.sum(clock.instant().getEpochSecond(), Math.min(seconds, BUCKETS));
    }

    public void forget(UUID serviceId) {
        counters.remove(serviceId);
    }

    Instant now() {
        return clock.instant();
    }

    private static final class Counter {
        private final long[] seconds = new long[BUCKETS];
        private final long[] counts = new long[BUCKETS];

        synchronized void add(long second) {
            int slot = (int) Math.floorMod(second, (long) BUCKETS);
            if (seconds[slot] != second) {
                seconds[slot] = second;
                counts[slot] = 0;
            }
            counts[slot]++;
        }

        synchronized long sum(long now, long window) {
            long total = 0;
            for (int i = 0; i < BUCKETS; i++) {
                if (seconds[i] > now - window && seconds[i] <= now) {
                    total += counts[i];
                }
            }
            return total;
        }
    }
}
