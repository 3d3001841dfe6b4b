package ai.dstack.api.offer;

import ai.dstack.api.json.internal.Values;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link InstanceOffer} together with whether it can be had now, as plans and offer lists return it.
 *
 * @param availabilityZones null when the backend does not say
 * @param instanceRuntime {@link InstanceRuntime#SHIM} when absent
 * @param blocks the blocks of the instance this offer stands for; 1 when absent
 * @param totalBlocks the blocks the instance is split into; 1 when absent
 */
public record InstanceOfferWithAvailability(
        String backend,
        InstanceType instance,
        String region,
        double price,
        Map<String, Object> backendData,
        InstanceAvailability availability,
        List<String> availabilityZones,
        InstanceRuntime instanceRuntime,
        Integer blocks,
        Integer totalBlocks) {
    public InstanceOfferWithAvailability {
        Objects.requireNonNull(backend, "backend is null");
        Objects.requireNonNull(instance, "instance is null");
        Objects.requireNonNull(region, "region is null");
        Objects.requireNonNull(availability, "availability is null");
        backendData = Values.map(backendData);
        availabilityZones = Values.listOrNull(availabilityZones);
        instanceRuntime = Values.orDefault(instanceRuntime, InstanceRuntime.SHIM);
        blocks = Values.orDefault(blocks, 1);
        totalBlocks = Values.orDefault(totalBlocks, 1);
    }

    /** The offer without its availability. */
    public InstanceOffer offer() {
        return new InstanceOffer(backend, instance, region, price, backendData);
    }
}
