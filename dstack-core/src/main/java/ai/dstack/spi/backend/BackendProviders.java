package ai.dstack.spi.backend;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** The {@link BackendProvider}s on the class path, by type. */
public final class BackendProviders {
    private BackendProviders() {}

    /** The provider of {@code type}, from the class loader that loaded this class. */
    public static Optional<BackendProvider> find(String type) {
        return all().stream().filter(p -> p.type().equals(type)).findFirst();
    }

    /** Every provider found, in class path order. */
    public static List<BackendProvider> all() {
        return ServiceLoader.load(BackendProvider.class, BackendProviders.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList();
    }
}
