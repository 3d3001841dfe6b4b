package ai.dstack.core.internal.placement;

import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.run.Requirements;
import java.util.List;

/**
 * A run's offer filters applied to an existing instance, as dstack applies them to its pool: {@code backends},
 * {@code regions}, {@code instance_types}, spot or on-demand, {@code max_price}, {@code availability_zones} (an
 * instance in none of them, or in no zone, is left out) and {@code reservation} (only instances made with it). The
 * local host and SSH fleet hosts are on-demand, free, in backend and region {@code remote}, in no zone and no
 * reservation; cloud instances carry their own.
 */
public record ProfileFilter(List<String> backends, List<String> regions, List<String> instanceTypes, Boolean spot,
        Double maxPrice, List<String> availabilityZones, String reservation) {
    static final ProfileFilter ANY = new ProfileFilter(null, null, null, null, null, null, null);

    public static ProfileFilter of(ProfileParams profile, Requirements requirements) {
        return new ProfileFilter(
                profile.backends() == null ? null : profile.backends().stream().map(BackendType::wireValue).toList(),
                profile.regions(), profile.instanceTypes(),
                requirements == null ? null : requirements.spot(),
                requirements == null ? null : requirements.maxPrice(),
                profile.availabilityZones() == null || profile.availabilityZones().isEmpty() ? null
                        : profile.availabilityZones(),
                requirements == null ? null : requirements.reservation());
    }

    /** Only this filter's {@code availability_zones} and {@code reservation}. */
    public ProfileFilter zonesAndReservation() {
        return new ProfileFilter(null, null, null, null, null, availabilityZones, reservation);
    }

    public boolean accepts(String backend, String region, String instanceType, boolean isSpot, double price, String zone,
            String instanceReservation) {
        if (availabilityZones != null && (zone == null || !availabilityZones.contains(zone))) {
            return false;
        }
        if (reservation != null && !reservation.equals(instanceReservation)) {
            return false;
        }
        if (backends != null && !backends.contains(backend)) {
            return false;
        }
        if (regions != null && !regions.contains(region)) {
            return false;
        }
        if (instanceTypes != null && instanceTypes.stream().noneMatch(instanceType::equalsIgnoreCase)) {
            return false;
        }
        if (spot != null && spot != isSpot) {
            return false;
        }
        return maxPrice == null || price <= maxPrice;
    }
}
