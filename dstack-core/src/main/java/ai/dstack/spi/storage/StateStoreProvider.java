package ai.dstack.spi.storage;

/**
 * Opens {@link StateStore}s for the database URLs it understands. Registered through {@link java.util.ServiceLoader}
 * in {@code META-INF/services/ai.dstack.spi.storage.StateStoreProvider}.
 *
 * <p>Implementations need a public no-argument constructor that does no I/O; the connection is made in
 * {@link #open}. The engine picks the first provider whose {@link #supports} returns {@code true}:
 *
 * <pre>{@code
 * StateStoreProvider provider = ServiceLoader.load(StateStoreProvider.class).stream()
 *     .map(ServiceLoader.Provider::get).filter(p -> p.supports(url)).findFirst().orElseThrow();
 * try (StateStore store = provider.open(url, StoreOptions.defaults())) {
 *     store.migrate();
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safety and lifecycle: a provider is stateless and may be called from any thread; each {@link #open}
 * returns a new store that the caller owns and closes (the engine opens one per engine and closes it with the engine).
 */
public interface StateStoreProvider {

    /**
     * Whether this provider can open {@code databaseUrl}, judged from its form alone (no connection is made).
     * Accepts dstack's own forms too, e.g. {@code sqlite+aiosqlite:////abs/path.db}.
     */
    boolean supports(String databaseUrl);

    /**
     * Connects to the database. Does not migrate it: call {@link StateStore#migrate()}.
     *
     * @throws ai.dstack.api.DstackException if the URL is malformed or the database cannot be reached or written;
     *     the message names the URL (password masked) and the cause
     */
    StateStore open(String databaseUrl, StoreOptions options);

    /** {@link #open(String, StoreOptions)} with {@link StoreOptions#defaults()}. */
    default StateStore open(String databaseUrl) {
        return open(databaseUrl, StoreOptions.defaults());
    }
}
