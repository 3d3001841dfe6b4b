package ai.dstack.backend.azure.internal;

import com.azure.resourcemanager.compute.fluent.models.ResourceSkuInner;
import com.azure.resourcemanager.compute.models.ResourceSkuLocationInfo;
import com.azure.resourcemanager.compute.models.ResourceSkuRestrictions;
import com.azure.resourcemanager.compute.models.ResourceSkuRestrictionsType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the resource SKUs API ({@code /providers/Microsoft.Compute/skus}) says about VM sizes: the locations where the
 * subscription may create each, its zones there ({@code locationInfo[].zones}), and its vCPU quota family. A
 * {@code Location} restriction removes the location; a {@code Zone} restriction removes only the zones it names (the
 * size stays available in the others, as dstack reads it).
 */
final class AzureSkus {
    /** A size's zones by location (lowercase); a location without zones has an empty set. */
    private final Map<String, Map<String, Set<String>>> zonesBySize;
    private final Map<String, String> families;

    private AzureSkus(Map<String, Map<String, Set<String>>> zonesBySize, Map<String, String> families) {
        this.zonesBySize = zonesBySize;
        this.families = families;
    }

    /** Reads every VM size's SKU; a {@link RuntimeException} from the SDK when ARM would not say. */
    static AzureSkus read(AzureClients clients) {
        Map<String, Map<String, Set<String>>> zonesBySize = new HashMap<>();
        Map<String, String> families = new HashMap<>();
        for (ResourceSkuInner sku : clients.compute().serviceClient().getResourceSkus().list()) {
            if (!"virtualMachines".equalsIgnoreCase(sku.resourceType()) || sku.locations() == null) {
                continue;
            }
            String size = lower(sku.name());
            if (sku.family() != null) {
                families.put(size, lower(sku.family()));
            }
            Map<String, Set<String>> locations = zonesBySize.computeIfAbsent(size, k -> new HashMap<>());
            Map<String, Set<String>> zones = new HashMap<>();
            if (sku.locationInfo() != null) {
                for (ResourceSkuLocationInfo info : sku.locationInfo()) {
                    if (info.location() != null && info.zones() != null) {
                        zones.put(lower(info.location()), new TreeSet<>(info.zones()));
                    }
                }
            }
            Set<String> zonal = new HashSet<>();
            zones.forEach((l, z) -> {
                if (!z.isEmpty()) {
                    zonal.add(l);
                }
            });
            Set<String> restrictedLocations = new HashSet<>();
            if (sku.restrictions() != null) {
                for (ResourceSkuRestrictions r : sku.restrictions()) {
                    if (r.type() == ResourceSkuRestrictionsType.ZONE) {
                        removeZones(zones, r);
                    } else if (r.values() != null) {
                        r.values().forEach(v -> restrictedLocations.add(lower(v)));
                    }
                }
            }
            for (String location : sku.locations()) {
                String l = lower(location);
                Set<String> left = zones.getOrDefault(l, new TreeSet<>());
                // every zone restricted: the size cannot be created in the location at all
                if (!restrictedLocations.contains(l) && !(zonal.contains(l) && left.isEmpty())) {
                    locations.put(l, left);
                }
            }
        }
        return new AzureSkus(zonesBySize, families);
    }

    private static void removeZones(Map<String, Set<String>> zones, ResourceSkuRestrictions r) {
        if (r.restrictionInfo() == null || r.restrictionInfo().zones() == null) {
            return;
        }
        List<String> locations = r.restrictionInfo().locations() != null ? r.restrictionInfo().locations()
                : r.values() == null ? List.of() : r.values();
        for (String location : locations) {
            Set<String> z = zones.get(lower(location));
            if (z != null) {
                r.restrictionInfo().zones().forEach(z::remove);
            }
        }
    }

    boolean available(String size, String location) {
        return zonesBySize.getOrDefault(lower(size), Map.of()).containsKey(lower(location));
    }

    /** The zones where the size may be created in the location, sorted; empty for a location without zones. */
    List<String> zones(String size, String location) {
        return List.copyOf(zonesBySize.getOrDefault(lower(size), Map.of()).getOrDefault(lower(location), Set.of()));
    }

    /** Every zone any VM size has in the location, sorted; empty when the location has none. */
    List<String> locationZones(String location) {
        Set<String> all = new TreeSet<>();
        zonesBySize.values().forEach(m -> all.addAll(m.getOrDefault(lower(location), Set.of())));
        return List.copyOf(all);
    }

    /** The size's quota family, lowercase; null when its SKU does not say. */
    String family(String size) {
        return families.get(lower(size));
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
