package ai.dstack.core.internal.operations;

import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.StoreTransaction;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fleet names by id, for run views. A fleet's name never changes and ids are unique, so each name is read from the
 * store once per engine (one instance per engine: engines in one JVM share nothing).
 */
final class FleetNames {
    private static final int MAX_CACHED = 10_000;
    private final Map<UUID, String> names = new ConcurrentHashMap<>();

    /** Inside the caller's transaction (transactions do not nest). */
    String of(StoreTransaction tx, UUID fleetId) {
        String known = names.get(fleetId);
        if (known != null) {
            return known;
        }
        String name = tx.fleets().find(fleetId).map(FleetRow::name).orElse(LocalFleet.NAME);
        if (names.size() < MAX_CACHED) {
            names.put(fleetId, name);
        }
        return name;
    }
}
