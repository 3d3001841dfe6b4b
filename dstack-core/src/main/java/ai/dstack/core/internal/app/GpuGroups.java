package ai.dstack.core.internal.app;

import ai.dstack.api.offer.Gpu;
import ai.dstack.api.offer.GpuGroup;
import ai.dstack.api.offer.GpuGrouping;
import ai.dstack.api.offer.InstanceAvailability;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * dstack's {@code gpus/list} grouping: one row per GPU type (name, memory, vendor), split further by backend,
 * region or count when asked, with the distinct availabilities, spot kinds, backends and regions of its offers and
 * their count and price ranges, in the order the offers come.
 */
final class GpuGroups {
    private GpuGroups() {}

    static List<GpuGroup> of(List<InstanceOfferWithAvailability> offers, List<GpuGrouping> groupBy) {
        boolean byBackend = groupBy.contains(GpuGrouping.BACKEND);
        boolean byRegion = groupBy.contains(GpuGrouping.REGION);
        boolean byCount = groupBy.contains(GpuGrouping.COUNT);
        Map<List<Object>, Row> rows = new LinkedHashMap<>();
        for (InstanceOfferWithAvailability offer : offers) {
            Map<List<Object>, Integer> counts = new LinkedHashMap<>();
            for (Gpu gpu : offer.instance().resources().gpus()) {
                counts.merge(List.of(gpu.name(), gpu.memoryMib(), gpu.vendor().wireValue()), 1, Integer::sum);
            }
            for (Map.Entry<List<Object>, Integer> type : counts.entrySet()) {
                List<Object> key = new ArrayList<>(type.getKey());
                if (byBackend) {
                    key.add(offer.backend());
                }
                if (byRegion) {
                    key.add(offer.region());
                }
                if (byCount) {
                    key.add(type.getValue());
                }
                rows.computeIfAbsent(key, k -> new Row(type.getKey(), type.getValue(), offer.price()))
                        .add(offer, type.getValue());
            }
        }
        return rows.values().stream().map(row -> row.group(byBackend, byRegion)).toList();
    }

    /** One group while offers are added. */
    private static final class Row {
        final List<Object> type;
        final Set<InstanceAvailability> availability = new LinkedHashSet<>();
        final Set<String> spot = new LinkedHashSet<>();
        final Set<String> backends = new LinkedHashSet<>();
        final Set<String> regions = new LinkedHashSet<>();
        int minCount;
        int maxCount;
        double minPrice;
        double maxPrice;

        Row(List<Object> type, int count, double price) {
            this.type = type;
            minCount = maxCount = count;
            minPrice = maxPrice = price;
        }

        void add(InstanceOfferWithAvailability offer, int count) {
            availability.add(offer.availability());
            spot.add(offer.instance().resources().spot() ? "spot" : "on-demand");
            minCount = Math.min(minCount, count);
            maxCount = Math.max(maxCount, count);
            minPrice = Math.min(minPrice, offer.price());
            maxPrice = Math.max(maxPrice, offer.price());
            backends.add(offer.backend());
            regions.add(offer.region());
        }

        GpuGroup group(boolean byBackend, boolean byRegion) {
            String backend = byBackend ? backends.iterator().next() : null;
            String region = byRegion ? regions.iterator().next() : null;
            return new GpuGroup((String) type.get(0), (Integer) type.get(1), (String) type.get(2),
                    List.copyOf(availability), List.copyOf(spot), new GpuGroup.CountRange(minCount, maxCount),
                    new GpuGroup.PriceRange(minPrice, maxPrice), backend, byBackend ? null : List.copyOf(backends),
                    region, byBackend && !byRegion ? List.copyOf(regions) : null);
        }
    }
}
