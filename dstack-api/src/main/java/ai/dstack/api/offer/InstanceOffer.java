package ai.dstack.api.offer;

import ai.dstack.api.json.internal.Values;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An instance a backend can provide, and its price.
 *
 * @param backend the backend type, e.g. {@code aws}; a string because backends are plug-ins
 * @param price dollars per hour
 * @param backendData backend-specific data, <code>{}</code> when absent
 */
public record InstanceOffer(String backend, InstanceType instance, String region, double price, Map<String, Object> backendData) {
    public InstanceOffer {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(instance, "instance is null");
        Objects.requireNonNull(region, "region is null");
        backendData = Values.map(backendData);
    }

    /** This offer with its availability, with dstack's defaults for runtime and blocks. */
    public InstanceOfferWithAvailability withAvailability(InstanceAvailability availability, List<String> availabilityZones) {
        return new InstanceOfferWithAvailability(backend, instance, region, price, backendData,
                availability, availabilityZones, null, null, null);
    }
}
