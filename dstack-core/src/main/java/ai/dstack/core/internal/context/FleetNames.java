package ai.dstack.core.internal.context;

import ai.dstack.spi.storage.FleetRow;
import ai.dstack.spi.storage.StateStore;
import ai.dstack.spi.storage.StoreTransaction;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fleet names by id, for run views. A fleet's name never changes and ids are unique, so names are read from the
 * store once per engine (each engine has its own: engines of one JVM share nothing).
 */
public final class FleetNames {
    private static final int MAX_CACHED = 10_000;
    /** What a run placed before its fleet row existed shows: the local fleet's name ({@code LocalFleet.NAME}). */
    private static final String LOCAL_FLEET = "local";
    private final Map<UUID, String> names = new ConcurrentHashMap<>();

    /** Outside a transaction. */
    public String of(StateStore store, UUID fleetId) {
        String known = names.get(fleetId);
        return known != null ? known : remember(store.inReadOnlyTransaction(tx -> tx.fleets().find(fleetId)), fleetId);
    }

    /** Inside the caller's transaction (transactions do not nest). */
    public String of(StoreTransaction tx, UUID fleetId) {
        String known = names.get(fleetId);
        return known != null ? known : remember(tx.fleets().find(fleetId), fleetId);
    }

    private String remember(Optional<FleetRow> fleet, UUID fleetId) {
        String name = fleet.map(FleetRow::name).orElse(LOCAL_FLEET);
        if (names.size() < MAX_CACHED) {
            names.put(fleetId, name);
        }
        return name;
    }
}
