package ai.dstack.core.internal.operations;

import ai.dstack.core.internal.placement.LocalFleet;
import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StoreTransaction;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fleet names by id, for run views. A fleet's name never changes and ids are unique, so names are read from the
 * store once per process.
 */
public final class FleetNames {
    private static final int MAX_CACHED = 10_000;
    private static final Map<UUID, String> NAMES = new ConcurrentHashMap<>();

    private FleetNames() {}

    /** Outside a transaction. */
    public static String of(StateStore store, UUID fleetId) {
        String known = NAMES.get(fleetId);
        return known != null ? known : remember(store.inReadOnlyTransaction(tx -> tx.fleets().find(fleetId)), fleetId);
    }

    /** Inside the caller's transaction (transactions do not nest). */
    static String of(StoreTransaction tx, UUID fleetId) {
        String known = NAMES.get(fleetId);
        return known != null ? known : remember(tx.fleets().find(fleetId), fleetId);
    }

    private static String remember(Optional<FleetRow> fleet, UUID fleetId) {
        String name = fleet.map(FleetRow::name).orElse(LocalFleet.NAME);
        if (NAMES.size() < MAX_CACHED) {
            NAMES.put(fleetId, name);
        }
        return name;
    }
}
