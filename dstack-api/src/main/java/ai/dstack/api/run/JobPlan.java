package ai.dstack.api.run;

import ai.dstack.api.json.internal.Values;
import ai.dstack.api.offer.InstanceOfferWithAvailability;
import java.util.List;
import java.util.Objects;

/**
 * What the server would do for one job of a planned run.
 *
 * @param offers the first offers, available ones first
 * @param totalOffers how many offers there are in all
 * @param maxPrice the highest price among the offers, or null
 */
public record JobPlan(JobSpec jobSpec, List<InstanceOfferWithAvailability> offers, int totalOffers, Double maxPrice) {
    public JobPlan {
        Objects.requireNonNull(jobSpec, "jobSpec is null");
        offers = Values.list(offers);
    }
}
