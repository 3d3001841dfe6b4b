package ai.dstack.storage.logs.internal;

import ai.dstack.spi.logs.LogEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The subscriptions of each followed log (a file, a CloudWatch stream), keyed by {@code K}. Logs nobody follows have
 * no entry.
 */
final class Followers<K> {
    private final Map<K, List<FileLogSubscription>> byFile = new ConcurrentHashMap<>();

    void add(K file, FileLogSubscription subscription) {
        byFile.compute(file, (key, subscriptions) -> {
            List<FileLogSubscription> updated = subscriptions == null ? new CopyOnWriteArrayList<>() : subscriptions;
            updated.add(subscription);
            return updated;
        });
    }

    void remove(K file, FileLogSubscription subscription) {
        byFile.computeIfPresent(file, (key, subscriptions) -> {
            subscriptions.remove(subscription);
            return subscriptions.isEmpty() ? null : subscriptions;
        });
    }

    void publish(K file, List<LogEvent> events) {
        List<FileLogSubscription> subscriptions = byFile.get(file);
        if (subscriptions != null) {
            for (FileLogSubscription subscription : subscriptions) {
                subscription.offer(events);
            }
        }
    }

    void closeAll() {
        List<FileLogSubscription> all = new ArrayList<>();
        byFile.values().forEach(all::addAll);
        all.forEach(FileLogSubscription::close);
    }
}
