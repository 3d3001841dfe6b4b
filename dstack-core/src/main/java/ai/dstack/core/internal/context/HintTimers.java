package ai.dstack.core.internal.context;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Hints due at a time of the engine's clock (which tests move by hand), kept in memory: a job waiting for its retry
 * deadline or a run waiting for its retry backoff is not looked at, nor written, until then. Each row has at most
 * one timer, the earliest asked for. Firing costs a look at the head of a queue ordered by time.
 */
final class HintTimers {
    private record Timer(Instant at, UUID id, boolean run) {}

    private final Consumer<UUID> hintJob;
    private final Consumer<UUID> hintRun;
    private final PriorityQueue<Timer> queue = new PriorityQueue<>(Comparator.comparing(Timer::at));
    /** The time each row's live timer fires; queue entries that no longer match are stale and skipped. */
    private final Map<UUID, Instant> due = new HashMap<>();

    HintTimers(Consumer<UUID> hintJob, Consumer<UUID> hintRun) {
        this.hintJob = hintJob;
        this.hintRun = hintRun;
    }

    synchronized void add(UUID id, Instant at, boolean run) {
        Instant set = due.get(id);
        if (set != null && !set.isAfter(at)) {
            return;
        }
        due.put(id, at);
        queue.add(new Timer(at, id, run));
    }

    void fire(Instant now) {
        while (true) {
            Timer timer;
            synchronized (this) {
                Timer head = queue.peek();
                if (head == null || head.at().isAfter(now)) {
                    return;
                }
                timer = queue.poll();
                if (!timer.at().equals(due.get(timer.id()))) {
                    continue; // replaced by an earlier timer, which fired already
                }
                due.remove(timer.id());
            }
            (timer.run() ? hintRun : hintJob).accept(timer.id());
        }
    }
}
