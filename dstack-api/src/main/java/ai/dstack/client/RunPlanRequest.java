package ai.dstack.client;

import ai.dstack.api.run.RunSpec;
import java.util.Objects;

/**
 * What {@code runs/get_plan} takes.
 *
 * <pre>{@code
 * RunPlan plan = project.getRunPlan(RunPlanRequest.newBuilder(spec).maxOffers(10).build());
 * }</pre>
 *
 * @param maxOffers offers per job to return, 1 to 10000; null for the server's default (50)
 * @param fullOffers return offers with all their details
 * @param unallocatedResources include offers on busy instances that have enough free blocks
 * @param forOffersOnly plan only to list offers ({@code dstack offer}); skips checks that only matter for a real run
 */
public record RunPlanRequest(
        RunSpec runSpec, Integer maxOffers, boolean fullOffers, boolean unallocatedResources, boolean forOffersOnly) {
    public RunPlanRequest {
        Objects.requireNonNull(runSpec, "runSpec is null");
        if (maxOffers != null && (maxOffers < 1 || maxOffers > 10_000)) {
            throw new IllegalArgumentException("maxOffers must be between 1 and 10000: " + maxOffers);
        }
    }

    /** A plan request with dstack's defaults. */
    public static RunPlanRequest of(RunSpec runSpec) {
        return newBuilder(runSpec).build();
    }

    public static Builder newBuilder(RunSpec runSpec) {
        return new Builder(runSpec);
    }

    /** Builds a {@link RunPlanRequest}; everything but the spec starts as dstack's default. */
    public static final class Builder {
        private final RunSpec runSpec;
        private Integer maxOffers;
        private boolean fullOffers;
        private boolean unallocatedResources;
        private boolean forOffersOnly;

        private Builder(RunSpec runSpec) {
            this.runSpec = runSpec;
        }

        public Builder maxOffers(Integer maxOffers) {
            this.maxOffers = maxOffers;
            return this;
        }

        public Builder fullOffers(boolean fullOffers) {
            this.fullOffers = fullOffers;
            return this;
        }

        public Builder unallocatedResources(boolean unallocatedResources) {
            this.unallocatedResources = unallocatedResources;
            return this;
        }

        public Builder forOffersOnly(boolean forOffersOnly) {
            this.forOffersOnly = forOffersOnly;
            return this;
        }

        public RunPlanRequest build() {
            return new RunPlanRequest(runSpec, maxOffers, fullOffers, unallocatedResources, forOffersOnly);
        }
    }
}
