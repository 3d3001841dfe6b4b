package ai.dstack.client.internal;

import ai.dstack.api.DstackException;
import ai.dstack.api.ErrorCode;
import ai.dstack.client.spi.DstackClientProvider;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The {@link DstackClientProvider}s on a class path, by {@link DstackClientProvider#type()}. */
public final class ClientProviders {
    private ClientProviders() {}

    /**
     * Every provider that {@code classLoader} can see.
     *
     * @throws DstackException naming the classes when two providers claim one type, or naming the services file
     *     when a provider cannot be loaded
     */
    public static Map<String, DstackClientProvider> load(ClassLoader classLoader) {
        Map<String, DstackClientProvider> byType = new TreeMap<>();
        try {
            for (DstackClientProvider provider : ServiceLoader.load(DstackClientProvider.class, classLoader)) {
                String type = provider.type().toLowerCase(Locale.ROOT);
                DstackClientProvider previous = byType.putIfAbsent(type, provider);
                if (previous != null && previous.getClass() != provider.getClass()) {
                    throw new DstackException(ErrorCode.ERROR, "Two dstack client providers for mode '" + type + "': "
                            + previous.getClass().getName() + " and " + provider.getClass().getName()
                            + ". Keep one of them on the class path.");
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new DstackException(ErrorCode.ERROR, "Cannot load a dstack client provider listed in "
                    + "META-INF/services/" + DstackClientProvider.class.getName() + ": " + e.getMessage(), e);
        }
        return Collections.unmodifiableMap(byType);
    }
}
