package ai.dstack.core.internal.cloud;

import ai.dstack.api.configuration.BackendType;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import ai.dstack.api.run.Requirements;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.OfferRequirements;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers of a project's cloud backends for a job: its requirements (resources, spot, max price, reservation) and the
 * profile's {@code backends}, {@code regions}, {@code instance_types} and {@code availability_zones}, cheapest first across backends, as dstack orders
 * backend offers. A backend that fails to answer is left out with a warning, as dstack does.
 */
public final class CloudOffers {
    private static final Logger LOG = LoggerFactory.getLogger(CloudOffers.class);

    private CloudOffers() {}

    public static OfferRequirements requirements(Requirements job, ProfileParams profile) {
        return new OfferRequirements(job.resources(), job.spot(), job.maxPrice(),
                profile == null ? null : profile.regions(), profile == null ? null : profile.instanceTypes(),
                profile == null ? null : profile.availabilityZones(), job.reservation());
    }

    public static List<InstanceOfferWithAvailability> offers(List<Backend> backends, Requirements job,
            ProfileParams profile) {
        List<String> types = profile == null || profile.backends() == null ? null
                : profile.backends().stream().map(BackendType::wireValue).toList();
        return offers(backends, job, types, profile == null ? null : profile.regions(),
                profile == null ? null : profile.instanceTypes(), profile == null ? null : profile.availabilityZones());
    }

    /**
     * @param backendTypes the allowed backend types; null or empty for any
     * @param availabilityZones the allowed zones; null or empty for any. An offer keeps only its zones among them and
     *     is left out when none is (or when its backend does not say its zones), as dstack filters them
     */
    public static List<InstanceOfferWithAvailability> offers(List<Backend> backends, Requirements job,
            List<String> backendTypes, List<String> regions, List<String> instanceTypes,
            List<String> availabilityZones) {
        OfferRequirements requirements = new OfferRequirements(job.resources(), job.spot(), job.maxPrice(), regions,
                instanceTypes, availabilityZones, job.reservation());
        List<InstanceOfferWithAvailability> offers = new ArrayList<>();
        for (Backend backend : backends) {
            if (backendTypes != null && !backendTypes.isEmpty() && !backendTypes.contains(backend.type())) {
                continue;
            }
            if (requirements.reservation() != null && !backend.supportsReservations()) {
                continue;
            }
            try {
                offers.addAll(inZones(backend.offers(requirements), requirements.availabilityZones()));
            } catch (BackendException e) {
                LOG.warn("Backend {} gave no offers: {}", backend.type(), e.getMessage());
            }
        }
        offers.sort(Comparator.comparingDouble(InstanceOfferWithAvailability::price));
        return offers;
    }

    private static List<InstanceOfferWithAvailability> inZones(List<InstanceOfferWithAvailability> offers,
            List<String> zones) {
        if (zones.isEmpty()) {
            return offers;
        }
        List<InstanceOfferWithAvailability> kept = new ArrayList<>();
        for (InstanceOfferWithAvailability offer : offers) {
            List<String> left = offer.availabilityZones() == null ? List.of()
                    : offer.availabilityZones().stream().filter(zones::contains).toList();
            if (!left.isEmpty()) {
                kept.add(new InstanceOfferWithAvailability(offer.backend(), offer.instance(), offer.region(),
                        offer.price(), offer.backendData(), offer.availability(), left, offer.instanceRuntime(),
                        offer.blocks(), offer.totalBlocks()));
            }
        }
        return kept;
    }
}
