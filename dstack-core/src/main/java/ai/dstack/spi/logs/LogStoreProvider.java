package ai.dstack.spi.logs;

/**
 * Creates {@link LogStore}s of one type. Discovered with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/ai.dstack.spi.logs.LogStoreProvider} and keyed by {@link #type()}; embedders may also
 * instantiate a provider directly. Constructors must be cheap and do no I/O: the work happens in {@link #create}.
 *
 * <pre>{@code
 * try (LogStore logs = new FileLogStoreProvider().create(LogStoreContext.of(serverDir))) {
 *     logs.write(job, jobLines, List.of());
 * }
 * }</pre>
 *
 * <p>Thread-safety and lifecycle: a provider is stateless and may be called from any thread; each {@link #create}
 * returns a new store that the caller owns and closes. The engine picks the provider named by
 * {@code DstackEngine.Builder.logStorage(type, settings)} (default {@code file}); {@code examples/} has a custom one.
 */
public interface LogStoreProvider {

    /** The storage's key, e.g. {@code "file"} or {@code "cloudwatch"}. */
    String type();

    /**
     * Opens a store.
     *
     * @throws ai.dstack.api.DstackException if the settings are wrong or the storage is unreachable
     */
    LogStore create(LogStoreContext context);
}
