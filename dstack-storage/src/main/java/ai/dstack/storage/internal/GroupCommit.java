package ai.dstack.storage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Lock;
import ai.dstack.spi.storage.EventRow;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for SQLite's single writer: callers hand their write transactions (units) to one writer thread, which
 * runs every unit waiting at that moment in one database transaction and commits once, so a burst of writes costs one
 * fsync instead of one each. Each unit runs inside a savepoint when it shares the transaction: a unit that fails is
 * rolled back alone and its caller gets its exception; the others commit. A caller returns only once its unit is
 * committed, so what it wrote is visible to every later read, as with a transaction of its own.
 */
final class GroupCommit implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** Units per transaction at most: a long burst still commits regularly, so its first callers are not kept. */
    static final int MAX_UNITS = 64;
    /** On the writer thread while it runs a shared transaction: the events its units recorded, written at the end. */
    private static final ThreadLocal<List<EventRow>> GROUP_EVENTS = new ThreadLocal<>();

    private final Jdbi writer;
    private final Lock fileLock;
    private final LinkedBlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
    private final LongAdder transactions;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param fileLock taken around each transaction, so that other stores of this JVM on the same file take turns
     *     with this one
     * @param transactions counts the database transactions: fewer than units when writes arrive together
     */
    GroupCommit(Jdbi writer, Lock fileLock, LongAdder transactions, String name) {
        this.writer = writer;
        this.transactions = transactions;
        this.fileLock = fileLock;
        this.thread = new Thread(this::loop, "dstack-sqlite-writer-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Runs {@code callback} in a write transaction (possibly shared with others) and returns once it is committed. */
    @SuppressWarnings("unchecked") // the unit's failure is whatever the callback threw: X or unchecked
    <R, X extends Exception> R write(HandleCallback<R, X> callback) throws X {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("A write transaction was started inside another one; transactions do not"
                    + " nest: use the StoreTransaction you were given");
        }
        if (closed) {
            throw new IllegalStateException("The state store is closed");
        }
        Unit<R> unit = new Unit<>(callback);
        queue.add(unit);
        // Waiting is not interruptible, as taking a lock was: the unit commits anyway, so its caller must learn how.
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return unit.result.get(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.TimeoutException e) {
                    if (!thread.isAlive() && queue.remove(unit)) {
                        throw new IllegalStateException("The state store is closed");
                    }
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw (X) cause;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Units waiting for the writer (for tests). */
    int waiting() {
        return queue.size();
    }

    private void loop() {
        List<Unit<?>> group = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Unit<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_UNITS - 1);
                runGroup(group);
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
            } catch (RuntimeException | Error e) {
                LOG.error("The SQLite writer failed a group of {} write transactions", group.size(), e);
                group.forEach(unit -> unit.result.completeExceptionally(e));
            } finally {
                group.clear();
            }
        }
        IllegalStateException closedError = new IllegalStateException("The state store is closed");
        for (Unit<?> unit = queue.poll(); unit != null; unit = queue.poll()) {
            unit.result.completeExceptionally(closedError);
        }
    }

    private void runGroup(List<Unit<?>> group) {
        fileLock.lock();
        try {
            transactions.increment();
            if (group.size() == 1) {
                runAlone(group.get(0));
                return;
            }
            List<Runnable> completions = new ArrayList<>();
            List<EventRow> events = new ArrayList<>();
            GROUP_EVENTS.set(events);
            try {
                writer.useTransaction(handle -> {
                    for (int i = 0; i < group.size(); i++) {
                        completions.add(runInSavepoint(handle, group.get(i), "unit" + i, events));
                    }
                    GROUP_EVENTS.remove();
                    HeldEvents.write(handle, events);
                });
            } catch (RuntimeException | Error e) {
                // The commit (or a savepoint's rollback) failed: nothing of the group was written.
                group.forEach(unit -> unit.result.completeExceptionally(e));
                return;
            } finally {
                GROUP_EVENTS.remove();
            }
            completions.forEach(Runnable::run);
        } finally {
            fileLock.unlock();
        }
    }

    private static <R> void runAlone(Unit<R> unit) {
        try {
            unit.result.complete(unit.run());
        } catch (Throwable e) {
            unit.result.completeExceptionally(e);
        }
    }

    /**
     * Takes a unit's held events into the shared transaction's (true), or false when the caller is not a unit of a
     * shared transaction and writes them itself.
     */
    static boolean holdForGroup(List<EventRow> events) {
        List<EventRow> group = GROUP_EVENTS.get();
        if (group == null) {
            return false;
        }
        group.addAll(events);
        return true;
    }

    /** Runs the unit in a savepoint; returns how to tell its caller once the transaction has committed. */
    private static <R> Runnable runInSavepoint(Handle handle, Unit<R> unit, String savepoint, List<EventRow> events) {
        handle.savepoint(savepoint);
        int eventsBefore = events.size();
        R result;
        try {
            result = unit.callback.withHandle(handle);
        } catch (Throwable e) {
            events.subList(eventsBefore, events.size()).clear(); // its events go with its writes
            // Throws when the failure took the whole transaction with it; the savepoint itself ends at the commit.
            handle.rollbackToSavepoint(savepoint);
            return () -> unit.result.completeExceptionally(e);
        }
        handle.releaseSavepoint(savepoint);
        return () -> unit.result.complete(result);
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One caller's write transaction and the future its caller waits on. */
    private final class Unit<R> {
        private final HandleCallback<R, ?> callback;
        private final CompletableFuture<R> result = new CompletableFuture<>();

        Unit(HandleCallback<R, ?> callback) {
            this.callback = callback;
        }

        /** Alone in its transaction: Jdbi begins, commits, or rolls back when the callback throws. */
        <X extends Exception> R run() throws Exception {
            return writer.inTransaction(callback);
        }
    }
}
