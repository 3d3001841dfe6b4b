package ai.dstack.api.fleet;

import ai.dstack.api.ApplyAction;
import ai.dstack.api.json.internal.Values;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import java.util.List;
import java.util.Objects;

/**
 * The reply of {@code fleets/get_plan}: what applying {@code spec} would do. SSH private keys are removed from
 * the specs it carries.
 *
 * @param user the user name of the caller
 * @param spec the spec as sent; this is what {@code fleets/apply} takes back
 * @param effectiveSpec the spec after server-side defaults and policies, or null
 * @param currentResource the existing fleet of that name, or null
 * @param offers the first backend offers for a cloud fleet
 * @param maxOfferPrice the highest price among the offers, or null
 * @param action null from older servers
 */
public record FleetPlan(
        String projectName,
        String user,
        FleetSpec spec,
        FleetSpec effectiveSpec,
        Fleet currentResource,
        List<InstanceOfferWithAvailability> offers,
        int totalOffers,
        Double maxOfferPrice,
        ApplyAction action) {
    public FleetPlan {
        Objects.requireNonNull(projectName, "projectName is null");
        Objects.requireNonNull(user, "user is null");
        Objects.requireNonNull(spec, "spec is null");
        offers = Values.list(offers);
    }

    /** The effective spec when the server sent one, else the spec as sent. */
    public FleetSpec effectiveSpecOrSpec() {
        return effectiveSpec != null ? effectiveSpec : spec;
    }
}
