package ai.dstack.spi.backend;

import ai.dstack.api.offer.Gpu;
import ai.dstack.api.offer.InstanceOffer;
import ai.dstack.api.offer.Resources;
import ai.dstack.api.resources.GpuSpec;
import ai.dstack.api.resources.Range;
import ai.dstack.api.resources.ResourcesSpec;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What offers must meet: dstack's {@code Requirements} plus the profile's filters.
 *
 * @param resources the run's or fleet's resources (memory and disk in GB)
 * @param spot true for spot only, false for on-demand only, null for either ({@code spot_policy: auto})
 * @param maxPrice the highest price per hour; null for any
 * @param regions the allowed regions; empty for any configured region
 * @param instanceTypes the allowed instance types; empty for any
 * @param availabilityZones the allowed availability zones; empty for any. The engine keeps only the offers' zones
 *     among these (and drops offers left with none); a backend may narrow its answer by them too
 * @param reservation a capacity reservation the instance must use ({@code reservation}); null for none. Only
 *     backends that {@linkplain Backend#supportsReservations() support reservations} are asked, and they answer
 *     only offers the reservation can hold
 */
public record OfferRequirements(
        ResourcesSpec resources, Boolean spot, Double maxPrice, List<String> regions, List<String> instanceTypes,
        List<String> availabilityZones, String reservation) {
    private static final double MIB_PER_GB = 1024.0;

    public OfferRequirements {
        Objects.requireNonNull(resources, "resources is null");
        regions = regions == null ? List.of() : List.copyOf(regions);
        instanceTypes = instanceTypes == null ? List.of() : List.copyOf(instanceTypes);
        availabilityZones = availabilityZones == null ? List.of() : List.copyOf(availabilityZones);
    }

    /** Requirements without zones or reservation. */
    public OfferRequirements(
            ResourcesSpec resources, Boolean spot, Double maxPrice, List<String> regions, List<String> instanceTypes) {
        this(resources, spot, maxPrice, regions, instanceTypes, List.of(), null);
    }

    /** Any instance with dstack's default resources, spot or not, anywhere. */
    public static OfferRequirements any() {
        return new OfferRequirements(ResourcesSpec.DEFAULT, null, null, List.of(), List.of());
    }

    /** The root disk an instance for these requirements gets: the smallest size asked, or dstack's 100 GB. */
    public int diskMib() {
        Double min = resources.disk() == null ? null : resources.disk().size().min();
        return (int) Math.round((min == null ? 100.0 : min) * MIB_PER_GB);
    }

    /**
     * Whether an offer meets these requirements: CPU count, memory, GPU count/name/memory/vendor, spot, price,
     * region and instance type. The disk is not compared: cloud backends size the root disk to {@link #diskMib()}.
     */
    public boolean matches(InstanceOffer offer) {
        Resources r = offer.instance().resources();
        if (spot != null && spot != r.spot()) {
            return false;
        }
        if (maxPrice != null && offer.price() > maxPrice) {
            return false;
        }
        if (!regions.isEmpty() && regions.stream().noneMatch(offer.region()::equalsIgnoreCase)) {
            return false;
        }
        if (!instanceTypes.isEmpty() && instanceTypes.stream().noneMatch(offer.instance().name()::equalsIgnoreCase)) {
            return false;
        }
        if (!resources.cpu().count().contains(r.cpus())) {
            return false;
        }
        if (resources.cpu().arch() != null && r.cpuArch() != null && resources.cpu().arch() != r.cpuArch()) {
            return false;
        }
        if (!resources.memory().contains(r.memoryMib() / MIB_PER_GB)) {
            return false;
        }
        return gpusMatch(resources.gpu() == null ? GpuSpec.NONE : resources.gpu(), r.gpus());
    }

    private static boolean gpusMatch(GpuSpec spec, List<Gpu> gpus) {
        if (!spec.count().contains(gpus.size())) {
            return false;
        }
        if (gpus.isEmpty()) {
            return true;
        }
        Gpu gpu = gpus.get(0);
        if (spec.vendor() != null && spec.vendor() != gpu.vendor()) {
            return false;
        }
        if (spec.name() != null && !spec.name().isEmpty()
                && spec.name().stream().noneMatch(n -> n.toLowerCase(Locale.ROOT).equals(
                        gpu.name().toLowerCase(Locale.ROOT)))) {
            return false;
        }
        if (spec.memory() != null && !spec.memory().contains(gpu.memoryMib() / MIB_PER_GB)) {
            return false;
        }
        Range<Double> total = spec.totalMemory();
        return total == null || total.contains(gpus.size() * gpu.memoryMib() / MIB_PER_GB);
    }
}
