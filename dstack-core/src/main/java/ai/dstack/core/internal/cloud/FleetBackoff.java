package ai.dstack.core.internal.cloud;

import ai.dstack.core.internal.context.EventLog;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.StoreTransaction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * How long a cloud fleet waits before it makes another instance after its instances failed: failures in a row are
 * counted on the fleet ({@code consolidation_attempt}, at {@code last_consolidated_at}, the cloud's words in its
 * {@code status_message}), and the next instance (to keep {@code nodes.min}, or to grow for a job) is made only after
 * dstack's consolidation delays: 1, 2, 5, 10, then every 30 minutes. After {@link #MAX_FAILURES} failures in a row the
 * fleet stops trying, as dstack does, until it is applied again. An instance that comes up resets the count.
 */
final class FleetBackoff {
    /** dstack's {@code _MAX_CONSOLIDATION_ATTEMPTS}. */
    static final int MAX_FAILURES = 15;
    /** dstack's {@code _CONSOLIDATION_RETRY_DELAYS}. */
    static final List<Duration> DELAYS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(30));

    private FleetBackoff() {
    }

    /** When the fleet may make its next instance; null when it has given up. */
    static Instant nextTry(FleetRow fleet) {
        int failures = fleet.consolidationAttempt();
        if (failures == 0 || fleet.lastConsolidatedAt() == null) {
            return Instant.MIN;
        }
        if (failures >= MAX_FAILURES) {
            return null;
        }
        return fleet.lastConsolidatedAt().plus(DELAYS.get(Math.min(failures, DELAYS.size()) - 1));
    }

    /** Whether the fleet may make an instance now. */
    static boolean ready(FleetRow fleet, Instant now) {
        Instant next = nextTry(fleet);
        return next != null && !now.isBefore(next);
    }

    /** Why the fleet makes no instance now; null when it may. */
    static String waiting(FleetRow fleet, Instant now) {
        if (ready(fleet, now)) {
            return null;
        }
        Instant next = nextTry(fleet);
        String last = fleet.statusMessage() == null ? "" : " (last: " + fleet.statusMessage() + ")";
        return next == null
                ? "Fleet " + fleet.name() + " stopped making instances after " + MAX_FAILURES + " failures in a row"
                        + last + "; delete it and apply it again to resume"
                : "Fleet " + fleet.name() + " makes its next instance after " + next + ", its instances failed "
                        + fleet.consolidationAttempt() + " time(s) in a row" + last;
    }

    /** One more failure of the fleet's instance {@code instance}, with the cloud's words. */
    static void failed(StoreTransaction tx, EventLog events, FleetRow fleet, String instance, String words,
            Instant now) {
        int failures = fleet.consolidationAttempt() + 1;
        String message = "instance " + instance + ": " + words;
        FleetRow after = fleet.toBuilder().consolidationAttempt(failures).lastConsolidatedAt(now)
                .statusMessage(message).build();
        if (!tx.fleets().updateIfNotLeased(after, now)) {
            return;
        }
        Instant next = nextTry(after);
        events.record(tx, next == null
                ? "Fleet consolidation stopped after " + MAX_FAILURES + " attempts: " + message
                : "Fleet instance failed (" + failures + " in a row), next try after " + next + ": " + message,
                null, EventLog.fleet(after));
    }

    /** An instance of the fleet came up: the count starts again. */
    static void succeeded(StoreTransaction tx, FleetRow fleet, Instant now) {
        if (fleet.consolidationAttempt() != 0 || fleet.statusMessage() != null) {
            tx.fleets().updateIfNotLeased(fleet.toBuilder().consolidationAttempt(0).statusMessage(null).build(), now);
        }
    }
}
