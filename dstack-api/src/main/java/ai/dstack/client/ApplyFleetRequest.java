package ai.dstack.client;

import ai.dstack.api.fleet.Fleet;
import ai.dstack.api.fleet.FleetPlan;
import ai.dstack.api.fleet.FleetSpec;
import java.util.Objects;

/**
 * What {@code fleets/apply} takes: a spec, the fleet it is meant to update, and whether to apply regardless.
 *
 * @param spec the spec as planned ({@link FleetPlan#spec()})
 * @param currentResource the fleet the plan saw under the same name, or null for a new fleet
 * @param force apply even if the current fleet changed since the plan
 */
public record ApplyFleetRequest(FleetSpec spec, Fleet currentResource, boolean force) {
    public ApplyFleetRequest {
        Objects.requireNonNull(spec, "spec is null");
    }

    /** Applies a plan as the server made it. */
    public static ApplyFleetRequest of(FleetPlan plan) {
        Objects.requireNonNull(plan, "plan is null");
        return new ApplyFleetRequest(plan.spec(), plan.currentResource(), false);
    }

    /** Creates a fleet without a plan. */
    public static ApplyFleetRequest of(FleetSpec spec) {
        return new ApplyFleetRequest(spec, null, false);
    }

    /** The same request, applied even if the fleet changed since the plan. */
    public ApplyFleetRequest forced() {
        return new ApplyFleetRequest(spec, currentResource, true);
    }
}
