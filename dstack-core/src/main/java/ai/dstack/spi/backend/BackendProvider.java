package ai.dstack.spi.backend;

/**
 * Creates {@link Backend}s of one type. Registered through {@link java.util.ServiceLoader} in
 * {@code META-INF/services/ai.dstack.spi.backend.BackendProvider}; the engine picks the provider whose {@link #type()}
 * is the configured backend's {@code type}:
 *
 * <pre>{@code
 * BackendProvider provider = BackendProviders.find("aws").orElseThrow();
 * try (Backend backend = provider.create(configuration)) {
 *     backend.checkCredentials();                  // a cheap read call; bad keys fail here
 *     List<InstanceOfferWithAvailability> offers = backend.offers(requirements);
 *     ...
 * }
 * }</pre>
 *
 * <p>Implementations need a public no-argument constructor that does no I/O.
 */
public interface BackendProvider {

    /** dstack's name of the backend type, e.g. {@code aws}; the {@code type} of its configuration. */
    String type();

    /**
     * Reads the configuration and builds the backend. Makes no cloud call: use {@link Backend#checkCredentials()}.
     *
     * @throws BackendException of {@link BackendFailure#INVALID_CONFIGURATION} naming the field, when a field is
     *     missing, malformed or one this backend does not implement (nothing a user writes is silently ignored)
     */
    Backend create(BackendConfiguration configuration);
}
