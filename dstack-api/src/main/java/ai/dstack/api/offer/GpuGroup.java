package ai.dstack.api.offer;

import ai.dstack.api.json.internal.Values;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * One row of dstack's {@code gpus/list} ({@code dstack offer --group-by}): a GPU type (and, when grouped so, a
 * backend, region or count) with the availabilities, spot kinds, counts and prices of the offers that have it.
 * Fields that do not apply to the grouping are null and left out on the wire, as dstack leaves them out.
 *
 * @param spot {@code spot} and/or {@code on-demand}
 * @param backend the backend when grouped by backend; null otherwise
 * @param backends the backends offering it when not grouped by backend; null otherwise
 * @param region the region when grouped by region; null otherwise
 * @param regions the regions when grouped by backend but not by region; null otherwise
 */
public record GpuGroup(
        String name,
        int memoryMib,
        String vendor,
        List<InstanceAvailability> availability,
        List<String> spot,
        CountRange count,
        PriceRange price,
        @JsonInclude(JsonInclude.Include.NON_NULL) String backend,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> backends,
        @JsonInclude(JsonInclude.Include.NON_NULL) String region,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<String> regions) {
    public GpuGroup {
        Objects.requireNonNull(name, "name is null");
        availability = Values.list(availability);
        spot = Values.list(spot);
        Objects.requireNonNull(count, "count is null");
        Objects.requireNonNull(price, "price is null");
        backends = Values.listOrNull(backends);
        regions = Values.listOrNull(regions);
    }

    /** How many of these GPUs one offer has: the least and the most. */
    public record CountRange(int min, int max) {}

    /** The offers' prices per hour: the lowest and the highest. */
    public record PriceRange(double min, double max) {}
}
